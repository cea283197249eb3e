"""Re-derive every kept governance state of a model version and compare it with a fresh
evaluation (governance/review/state)."""

import sys

from django.core.management.base import BaseCommand

from governance.review.state.services import states_check


class Command(BaseCommand):
    help = (
        "Evaluate again every model version whose governance state is kept and current, and "
        "compare; exits 1 naming those that differ (something changed without its audit event, "
        "or a kind of change the state does not follow). --rebuild also evaluates and keeps "
        "the state of every version that has none (after a bulk import). Run it before "
        "check_read_cache, whose fresh details read these states."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild", action="store_true", help="also keep a state for versions without one"
        )
        parser.add_argument(
            "--model", action="append", type=int, help="only the versions of this model (id)"
        )
        parser.add_argument("--quiet", action="store_true", help="print only differences")

    def handle(self, *args, **options):
        compared, differing = states_check(rebuild=options["rebuild"], model_ids=options["model"])
        for version_id in differing:
            self.stdout.write(f"DIFFERS: model version {version_id}")
        if differing:
            sys.exit(1)
        if not options["quiet"]:
            self.stdout.write(
                f"OK: {compared} kept states compared, {len(differing)} differ from a fresh "
                "evaluation"
            )
