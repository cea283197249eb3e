"""Forms of the governance pages. They only parse and validate input; the services decide."""

from __future__ import annotations

from django import forms

from governance.kernel.web import Form


class ClassificationForm(Form):
    """One field per active questionnaire question, built from the database rows.

    Every field is optional here: which questions must be answered depends on earlier
    answers (Art. 6(3) follow-ups only after an Annex III area), and that is the rules'
    call, reported back by the service as missing answers.
    """

    notes = forms.CharField(required=False, max_length=4000, widget=forms.Textarea)

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for q in self.questions:
            choices = [(o.value, o.label) for o in q.options.all()]
            if q.multiple:
                field = forms.MultipleChoiceField(
                    choices=choices, required=False, widget=forms.CheckboxSelectMultiple
                )
            else:
                field = forms.ChoiceField(choices=choices, required=False, widget=forms.RadioSelect)
            field.label = q.text
            self.fields[q.key] = field

    def answers(self) -> dict:
        return {
            q.key: self.cleaned_data[q.key]
            for q in self.questions
            if self.cleaned_data.get(q.key) not in (None, "", [])
        }
