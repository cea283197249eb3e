"""The vocabularies PII detection matches against: categories, name patterns and word lists.

* the category vocabularies: direct identifiers, GDPR Article 9 special categories and the
  protected attributes a fairness check can group by;
* column-name patterns per category (``NAME_RULES``, ``PROTECTED_RULES``) and the tokens that
  cancel them (derived attributes, things that are not people, non-postal addresses);
* word lists used on values: street words, name particles and titles, and per special
  category the terms that name it (``CATEGORY_LEXICONS``).

Data only, plus the normalisation the lexicons are stored in.
"""

from __future__ import annotations

import re

from .normalise import normalise_value

DIRECT_IDENTIFIER_CATEGORIES = (
    "person_name",
    "email",
    "phone",
    "national_id",
    "iban",
    "payment_card",
    "ip_address",
    "date_of_birth",
    "postal_address",
    "geolocation",
)


#: GDPR Article 9(1) special categories of personal data.
SPECIAL_CATEGORIES = (
    "racial_ethnic_origin",
    "religion",
    "health",
    "sex_life_orientation",
    "political_opinion",
    "union_membership",
    "biometric",
    "genetic",
)


PII_CATEGORIES = DIRECT_IDENTIFIER_CATEGORIES + SPECIAL_CATEGORIES


PROTECTED_ATTRIBUTE_KINDS = (
    "sex",
    "gender",
    "age",
    "race",
    "ethnicity",
    "nationality",
    "religion",
    "disability",
    "marital_status",
)


#: Tokens that turn a PII-looking name into a derived attribute: ``email_count``,
#: ``has_phone``, ``email_verified`` describe a person's data without being it.
DERIVED_TOKENS = frozenset(
    {
        "count", "cnt", "num", "n", "has", "is", "flag", "verified", "valid", "validated",
        "opt", "optin", "optout", "consent", "type", "kind", "domain", "provider", "length",
        "len", "missing", "status", "sent", "opened", "clicked", "bounced", "format",
        "changed", "updated", "share", "ratio", "rate", "pct", "percent",
    }
)  # fmt: skip


#: (category, strong, pattern). Patterns run on ``_<normalised name>_``. A strong pattern
#: flags the column on its own; a weak one only lends weight to value checks.
NAME_RULES: tuple[tuple[str, bool, str], ...] = (
    ("email", True, r"_e_?mail(s|_?addr(ess)?(es)?)?_|_mail_?addr(ess)?_|_courriel_|_correo"),
    ("email", True, r"_e_?post(_?adresse)?_"),
    (
        "phone",
        True,
        r"_(tele?_?)?phone(s|_?n(umbe)?r|_?no)?_|_telefon(o|e)?(_?nummer)?_|_msisdn_"
        r"|_rufnummer_|_cellulare_|_cell_?phone_|_(mobile|cell)_?(n(umbe)?r|no)_"
        # Short or ambiguous words ("mobile_app", "cell_line") only at the end of a name.
        r"|_(tel|mobile|cell|fax|handy|movil)(_?n(umbe)?r|_?no)?_$",
    ),
    (
        "person_name",
        True,
        r"_(first|last|given|family|middle|maiden|full|sur|fore)_?names?_|_surname_"
        r"|_(vor|nach|familien)_?name_|_prenoms?_|_nom_de_famille_|_apellidos?_"
        r"|_nombre_completo_|_cognome_|_(voor|achter)_?naam_"
        r"|_(customer|client|patient|employee|person|contact|passenger|applicant|"
        r"card_?holder|account_?holder|beneficiary|member|student|guardian|parent|mother|"
        r"father|spouse|driver|tenant|borrower|debtor|insured|policy_?holder|player|"
        r"athlete|author|victim|suspect|witness)_?(full_?)?names?_",
    ),
    (
        "person_name",
        False,
        r"_(short|long|display|real|legal|known_as)_?name_|_names?_|_nom_|_nombre_|_naam_",
    ),
    (
        "date_of_birth",
        True,
        r"_d_?o_?b_|_(date|day|year)_?of_?birth_|_birth_?(date|day|year|dt)_|_birth_$"
        r"|_geburts_?(datum|tag|jahr)_|_date_?de_?naissance_"
        r"|_fecha_?de_?nacimiento_|_data_?di_?nascita_|_geboorte_?datum_|_born(_?on)?_",
    ),
    (
        "national_id",
        True,
        r"_ssn_|_social_?security(_?n(umbe)?r|_?no)?_|_national_?(id|identity|insurance)"
        r"(_?n(umbe)?r|_?no)?_|_nino_|_passport(_?n(umbe)?r|_?no|_?id)?_|_tax_?(id|payer_?id)_"
        r"|_steuer_?id(_?nr)?_|_steuer_?identifikations_?nummer_|_personal_?ausweis(_?nr)?_"
        r"|_ausweis_?(nr|nummer)_|_sozial_?versicherungs_?nummer_|_sv_?nr_|_dni_|_nie_|_nif_"
        r"|_nir_|_insee_|_codice_?fiscale_|_bsn_|_burger_?service_?nummer_|_pesel_"
        r"|_person_?nummer_|_cpr_|_aadhaar_|_id_?card(_?n(umbe)?r|_?no)?_"
        r"|_drivers?_?licen[cs]e(_?n(umbe)?r|_?no)?_|_fuhrerschein(_?nr)?_",
    ),
    (
        "iban",
        True,
        r"_iban_|_(bank_?)?account_?(n(umbe)?r|no)_|_konto_?(nr|nummer)_|_bank_?account_",
    ),
    (
        "payment_card",
        True,
        r"_(credit|debit|payment)_?card(_?n(umbe)?r|_?no|_?num)?_|_card_?(n(umbe)?r|no|num|pan)_"
        r"|_cc_?(n(umbe)?r|no|num)_|_pan_|_kredit_?karte(n_?nummer)?_|_primary_?account_?number_",
    ),
    (
        "ip_address",
        True,
        r"_ip(v[46])?(_?addr(ess)?)?_|_(client|remote|source|src|dst|dest|host|user|peer)_?ip"
        r"(_?addr(ess)?)?_|_remote_?addr_",
    ),
    (
        "postal_address",
        True,
        r"_(home|postal|street|mailing|billing|shipping|residential|delivery|post)_?"
        r"addr(ess)?(_?line_?\d?)?_|_address(_?line_?\d?)?_|_street(_?name|_?address)?_"
        r"|_strasse_|_hausnummer_|_anschrift_|_adresse_|_wohnort_|_direccion_|_indirizzo_"
        r"|_zip(_?code)?_|_post_?code_|_postal_?code_|_plz_|_postleitzahl_|_code_?postal_",
    ),
    (
        "geolocation",
        True,
        r"_latitude_|_longitude_|_geo_?(location|loc|coordinates|point|hash)_|_gps(_?\w+)?_"
        r"|_coordinates_|_lat_?lon(g)?_|_lat_?lng_|_breiten_?grad_|_langen_?grad_",
    ),
    # "long" and "lat" say little mid-name ("long_term_rate"); only as the last word.
    ("geolocation", False, r"_(lat|lon|lng|long)(_?deg(rees)?)?_$"),
    (
        "racial_ethnic_origin",
        True,
        r"_race_|_racial_|_ethnic(ity|_?origin|_?group|_?background)?_|_ethnie_|_etnia_"
        r"|_skin_?(colou?r|tone)_|_raza_|_origine_?ethnique_|_ethnische_?herkunft_",
    ),
    (
        "religion",
        True,
        r"_religio(n|us|ne)(_?\w+)?_|_faith_|_konfession_|_confession_|_denomination_"
        r"|_religionszugehorigkeit_|_belief_?system_|_philosophical_?beliefs?_"
        r"|_rel_?(activ\w*|attend\w*|affil\w*)_|_relig_?\w*_",
    ),
    (
        "health",
        True,
        r"_diagnos(is|es|e|tic)(_?code)?_|_icd_?(9|10|11|o)?(_?code)?_|_disease_|_illness_"
        r"|_medical(_?\w+)?_|_medication_|_prescription_|_symptoms?_|_health(_?\w+)?_"
        r"|_hiv_|_pregnan(t|cy)_|_disabilit(y|ies)_|_disabled_|_blood_?(type|group)_"
        r"|_allerg(y|ies)_|_mental_?(health|illness|disorder)_|_therapy_|_comorbidit(y|ies)_"
        r"|_krankheit_|_diagnose_|_befund_|_sick(ness)?_?(leave|note)_|_bmi_|_vaccination_",
    ),
    # "treatment" is also the arm of an A/B test and "handicap" a golf score.
    ("health", False, r"_treatment_|_condition_|_handicap_|_covid_|_patient_"),
    (
        "sex_life_orientation",
        True,
        r"_sexual(_?orientation|ity|_?preference|_?life)?_|_sex_?life_|_lgbt\w*_"
        r"|_sexuelle_?orientierung_|_orientation_?sexuelle_",
    ),
    (
        "political_opinion",
        True,
        r"_politic(s|al)(_?\w+)?_|_party_?(affiliation|membership|preference)_|_voted?_?for_"
        r"|_voting_?(intention|preference)_|_partei(zugehorigkeit)?_|_ideology_",
    ),
    (
        "union_membership",
        True,
        r"_(trade|labou?r)_?union(_?\w+)?_|_union_?(member|membership|dues)_|_gewerkschaft\w*_"
        r"|_syndicat_|_sindicato_",
    ),
    (
        "biometric",
        True,
        r"_biometric\w*_|_finger_?print\w*_|_face_?(encoding|embedding|template|print|id|scan)_"
        r"|_facial\w*_|_iris_?(scan|code|template)_|_retina\w*_|_voice_?print_|_palm_?print_"
        r"|_gait_",
    ),
    (
        "genetic",
        True,
        r"_genetic\w*_|_genom(e|ic)\w*_|_genotype\w*_|_dna\w*_|_snps?_|_rs\d{3,}_|_allele\w*_"
        r"|_haplo_?(group|type)_|_brca\d?_|_gene_?(variant|test|expression)_",
    ),
    # The same categories in French, German, Spanish, Italian, Portuguese and Dutch (names
    # arrive without accents: "religião" is "religiao", "Straße" is "strasse").
    (
        "person_name",
        True,
        r"_nome_?(completo|proprio)_|_sobrenome_|_apelidos?_|_nom_?(complet|famille)_"
        r"|_nombre_?y_?apellidos?_|_vollst(a|ae)ndiger_?name_|_volledige_?naam_|_naam_?volledig_",
    ),
    ("person_name", False, r"_nome_|_naam_|_customer_$|_client_$|_cliente_$|_kunde_$|_klant_$"),
    (
        "date_of_birth",
        True,
        r"_data_?(de_?)?nascimento_|_fecha_?nacimiento_|_date_?naissance_|_nascimento_"
        r"|_geburts_?datum_|_geboren_?(am|op)?_|_nato_?il_|_nacido_?el_",
    ),
    (
        "phone",
        True,
        r"_telemovel_|_telefoon(_?nummer)?_|_celular_|_portable_$|_numero_?de_?telephone_"
        r"|_numero_?(di_?)?telefono_|_mobiel(_?nummer)?_|_handy_?nummer_|_gsm_$",
    ),
    (
        "postal_address",
        True,
        r"_morada_|_endereco_|_domicilio_|_adres_|_woonadres_|_huisnummer_|_wohnadresse_"
        r"|_codigo_?postal_|_cap_$|_cep_$|_numero_?civico_",
    ),
    (
        "national_id",
        True,
        r"_securite_?sociale_|_seguridad_?social_|_previdenza_|_cpf_|_cnpj_|_rg_$|_cc_$"
        r"|_numero_?(de_?)?identificacion_|_carta_?d_?identita_|_rijksregister(_?nummer)?_"
        r"|_sofi_?nummer_|_nss_|_nuss_|_amka_|_cartao_?cidadao_",
    ),
    (
        "iban",
        True,
        r"_rekening_?(nummer)?_|_numero_?de_?cuenta_|_conto_?corrente_|_numero_?de_?compte_"
        r"|_bankverbindung_|_nib_",
    ),
    (
        "racial_ethnic_origin",
        True,
        r"_raca(_?cor)?_|_cor_?raca_|_razza_|_etnicidad_|_etnicita_|_etnico_|_etnische_\w*_"
        r"|_afkomst_|_origen_?etnico_|_origine_?etnica_|_race_?ethnicity_",
    ),
    (
        "religion",
        True,
        r"_religiao_|_religione_|_religie_|_godsdienst_|_geloof_|_croyances?_|_creencias?_"
        r"|_credo_|_culte_|_glaubens?\w*_|_confessione_|_kerkgenootschap_",
    ),
    (
        "health",
        True,
        r"_(vor)?erkrankung\w*_|_gesundheit\w*_|_maladies?\w*_|_sante_|_enfermedad\w*_"
        r"|_salud_|_malattia\w*_|_salute_|_doenca\w*_|_saude_|_ziekte\w*_|_gezondheid\w*_"
        r"|_gruppo_?sanguigno_|_grupo_?sangu(i|e)neo_|_groupe_?sanguin_|_blutgruppe_"
        r"|_bloedgroep_|_handicap_?status_|_behinderung\w*_|_discapacidad_|_disabilita_"
        r"|_deficiencia_|_beperking_|_zwanger\w*_|_schwanger\w*_|_embarazo_|_gravidanza_",
    ),
    (
        "sex_life_orientation",
        True,
        r"_orientacion_?sexual_|_orientamento_?sessuale_|_orientacao_?sexual_"
        r"|_seksuele_?(geaardheid|orientatie)_|_geaardheid_",
    ),
    (
        "political_opinion",
        True,
        r"_partit[oi](_?\w+)?_|_partido(_?\w+)?_|_parti_?politique_|_partij\w*_"
        r"|_opinion_?politica_|_opinione_?politica_|_vote_$|_voto_$|_stem(gedrag|keuze)_"
        r"|_wahlabsicht_|_intention_?de_?vote_|_political_?party_",
    ),
    ("political_opinion", False, r"_party_$|_parti_$|^_party_?id_$"),
    (
        "union_membership",
        True,
        r"_syndica\w*_|_sindacat\w*_|_sindical\w*_|_vakbond\w*_|_union_?affiliation_"
        r"|_trade_?union_",
    ),
    (
        "biometric",
        True,
        r"_empreinte\w*_|_huella\w*_|_impronta\w*_|_impressao_?digital_|_vingerafdruk\w*_"
        r"|_fingerabdruck\w*_|_biometri\w*_|_gesichts\w*_|_reconnaissance_?faciale_",
    ),
    (
        "genetic",
        True,
        r"_genetique\w*_|_genetica\w*_|_genetisch\w*_|_erbgut_|_adn_|_genotipo_",
    ),
    # Clinical vocabulary in seven languages: diagnoses, symptoms, medication, smoking,
    # body-mass index, blood pressure, pregnancy, chronic conditions and named laboratory
    # tests. Surveys abbreviate them (hlthg, mntlhlth, npreg, physlm, nchronic).
    (
        "health",
        True,
        r"_diagnos(is|es|e|tic|tico|ticos|tique|i|tiek)(_?(code|codes|date|text|desc\w*"
        r"|principal|primary|secondary|\d))?_|_sympto\w*_|_sinto(ma|mas|mo|mi)_|_symptoom_|_medica(tion|tions|mento"
        r"|mentos|ment|ments|cion|cao|zione|zioni|menti|tie)_|_medikament\w*_|_medikation_"
        r"|_farmac[oi]_|_medicijn\w*_|_geneesmiddel\w*_|_prescri\w*_|_non_?presc\w*_"
        r"|_medicines?_|_medecines?_|_hosp(ital)?_?(adm\w*|days|stays?|visits?|nights)_"
        r"|_transplant\w*_|_karnofsky\w*_|_karno_|_ecog(_?\w+)?_|_performance_?status_"
        r"|_diag_?(time|date|age|year|months?)_|_(time|age|years?)_?(since|at)_?diag\w*_"
        r"|_cigs(_?\w+)?_"
        r"|_(current_?|ever_?|never_?|former_?|ex_?)?smok(er|ers|ing)(_?\w+)?_|_smoke_$"
        r"|_\w+_smok(er|ers|ing)_|_(non_?)?fumeur\w*_|_tabagisme_|_tabaquismo_|_(nicht_?)?raucher\w*_"
        r"|_rauch(en|verhalten)_|_fumador\w*_|_fumatore_|_fumatrice_|_fumante_|_roker_|_roken_"
        r"|_rookgedrag_|_cigarettes?_?(per_?day|a_?day|smoked|daily|use)_|_cigs_?per_?day_"
        r"|_tobacco_?(use|user|consumption|status|history)_"
        r"|_imc_|_body_?mass(_?index)?_|_masse_?corporelle_|_korper_?masse\w*_|_masa_?corporal_"
        r"|_massa_?corpore[ao]_|_blood_?pressure\w*_|_systoli\w*_|_diastoli\w*_|_sbp_|_dbp_"
        r"|_hypertens\w*_|_pression_?arterielle_|_tension_?arterielle_|_blutdruck\w*_"
        r"|_presion_?arterial_|_pressione_?arteriosa_|_pressao_?arterial_|_bloeddruk_"
        r"|_n_?preg(s|nancies)?_|_(num|number)_?(of_?)?pregnancies_|_grossesse_|_enceinte_"
        r"|_embarazad[ao]_|_incinta_|_gravidez_|_gestante_|_invalidite_|_handicape_"
        r"|_[nl]?chronic(_?\w+)?_|_chronische?_?\w*_|_cronic[ao]s?_?\w*_|_(mntl|ment|phys|gen|self|bad|poor|good|n)?_?hlth\w*_"
        r"|_disea(se|ses)?_|_n_?diseases?_|_phys_?(lm|lim|limit\w*)_|_physical_?limitation\w*_"
        r"|_mental_?(health|illness|disorder|state|status|condition)\w*_|_mntl\w*_"
        r"|_depress(ion|ive)\w*_|_anxiety_|_psychiatr\w*_"
        r"|_blood_?(sugar|glucose|cholesterol)_|_glyc(a)?emia_|_hba1c_"
        r"|_bilirubin\w*_|_creatinine_|_ha?emoglobin_"
        r"|_platelets?(_?count)?_|_insulin\w*_|_prothrombin\w*_|_protime_|_ascites_"
        r"|_o?edema_|_hepatomegaly_|_cancer(_?\w+)?_|_tumou?r(_?\w+)?_|_placebo_"
        # symptoms, perioperative scores and named clinical grading systems
        r"|_cough\w*_|_dyspn(o)?ea\w*_|_nausea\w*_|_vomit\w*_|_fever\w*_|_headaches?_"
        r"|_\w+_pains?(_?(score|scale|level|intensity|vas|nrs))?_$|_pain_?(score|scale|level"
        r"|intensity|vas|nrs)_|_(throat|swallow|chest|back|neck|joint|abdominal|pelvic"
        r"|muscle|knee|hip)_?pains?\w*_|_surger(y|ies)(_?\w+)?_|_surgical(_?\w+)?_"
        r"|_mallampati\w*_|_gleason\w*_|_apgar\w*_|_glasgow_?coma\w*_|_nyha\w*_"
        r"|_charlson\w*_|_barthel\w*_|_mmse\w*_|_phq_?\d+\w*_|_gad_?7\w*_"
        r"|_low_?birth_?weight\w*_|_lbw_|_preterm\w*_|_premie_|_prematur(e|ity)_?(birth|baby"
        r"|infant|delivery)?_",
    ),
    (
        "sex_life_orientation",
        True,
        r"^_affairs_$|_n(um)?_?affairs_|_extra_?marital\w*_|_infidelit\w*_|_adultere_"
        r"|_(sex|sexual)_?(partners?|activity|frequency|behaviou?r)_"
        r"|_(number_?of_?|n_?|num_?)(sex(ual)?_?)?partners_|_seitensprung\w*_|_infidelidad\w*_"
        r"|_infedelta_|_infidelidade_|_ontrouw\w*_|_buitenechtelijk\w*_",
    ),
    (
        "political_opinion",
        True,
        r"_party_?identification_|_partisanship_|_self_?lr_|_lr_?self_|_self_?placement\w*_"
        r"|_ideolog\w*_|_wahl(entscheidung|verhalten|absicht)_|_stimmabgabe_"
        r"|_intencion_?de_?voto_|_intenzione_?di_?voto_|_intencao_?de_?voto_",
    ),
    (
        "racial_ethnic_origin",
        True,
        r"_afam_|_african_?american_|_hispanic\w*_|_latin[oa]_|_caucasian_"
        r"|_native_?american_|_pacific_?islander_|_etniciteit_|_ethnicit\w*_",
    ),
    ("genetic", True, r"_genotyp\w*_"),
    # "union" alone is a set operation or the European one; the values must say members.
    ("union_membership", False, r"^_union_$|^_unionised_$|^_unionized_$"),
)


#: Short clinical names that also mean other things (bp: basis points, ast: an abstract
#: syntax tree, alt: altitude, map: a mean arterial pressure or a map, adl: activities of
#: daily living or a league, asa: an anaesthesia risk class or a handle). A perioperative
#: or baseline prefix may stand before them (``preOp_asa``, ``baseline_bp``). They count as
#: health data only as numbers or coded answers in a table that already holds health data
#: (``scan_columns`` checks that).
CLINICAL_ABBREVIATIONS = re.compile(
    r"^_((pre|post|intra|peri)_?op(erative)?_|baseline_|bl_|admission_|adm_)?"
    r"(asa|gcs|bp|chol|cholesterol|glu|gluc|glucose|bili|trig|triglycerides?|albumin|ast|alt|"
    r"alp|alk_?phos|sgot|sgpt|hdl|ldl|hgb|hb|wbc|rbc|crp|tsh|bun|spiders|hepato|skin_?fold|pulse|"
    r"heart_?rate|hr_?bpm|resting_?hr|sats|spo2|fev1|fvc|egfr|inr|ptt|ferritin|urea|"
    r"sys_?bp|dia_?bp|dias_?bp|map|adls?|iadls?)_$"
)


#: Names of survey scales that are political opinion when their values are a coded scale
#: (a few small integers): "PID" is party identification on 0-6, and a process or patient
#: id otherwise; "left_right" a scale, or a side of the body.
CODED_SCALE_NAMES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "political_opinion",
        re.compile(
            r"^_pid(_?\d)?_$|^_party_?id_$|_left_?right(_?\w+)?_|_lr_?(scale|position)_"
            r"|^_lr_$|_links_?rechts\w*_|_gauche_?droite_|_izquierda_?derecha_"
            r"|_sinistra_?destra_|_esquerda_?direita_|_links_?rechts_"
        ),
    ),
    ("religion", re.compile(r"_church_?attend\w*_|_attend\w*_?church_|_mass_?attendance_")),
    # A 0/1 column named after one group is a dummy of ethnic origin in survey data.
    (
        "racial_ethnic_origin",
        re.compile(
            r"^_((n|non|not)_?)?(white|black|asian|hisp|afro|mestizo)"
            r"(_?(mom|mother|dad|father|parent|head|hh|resp|respondent|child|wife|husband))?_$"
        ),
    ),
)


#: Dummies that are a special category only when the table already holds that category
#: elsewhere: "dem" and "rep" beside a vote are party identification, alone they are a
#: digital elevation model and a repetition count.
WITNESSED_DUMMY_NAMES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "political_opinion",
        re.compile(
            r"^_(dem|rep|democrat|republican|gop|ind|indep|independent|lib|con|lab|tory|green"
            r"|libdem|ldem|snp|ukip)s?_$"
        ),
    ),
)


#: Tokens that make a special-category name an aggregate over many people (``pct_hispanic``,
#: ``vote_share``), not a fact about the person in the row.
AGGREGATE_TOKENS = frozenset(
    {"pct", "percent", "percentage", "share", "shares", "prop", "proportion", "fraction"}
)


#: "native_born", "foreign_born": where someone was born, not when.
NATIVITY_TOKENS = frozenset({"native", "foreign", "abroad", "locally", "overseas", "us", "uk"})


#: Tokens that make a "political" name about something other than a person's opinion.
NON_OPINION_POLITICAL_TOKENS = frozenset(
    {"knowledge", "science", "scientist", "economy", "geography", "map", "boundary",
     "boundaries", "district", "districts", "unit", "units", "division", "region"}
)  # fmt: skip


#: Names that say "this names a thing, not a person"; they cancel weak person-name hints.
NON_PERSON_NAME_TOKENS = frozenset(
    {
        "product", "company", "file", "filename", "item", "brand", "city", "country", "street",
        "team", "club", "org", "organisation", "organization", "business", "store", "shop",
        "host", "hostname", "server", "column", "field", "table", "dataset", "model",
        "feature", "category", "class", "project", "app", "application", "event", "place",
        "location", "species", "drug", "song", "book", "title", "school", "university",
        "hospital", "bank", "sheet", "domain", "package", "device", "region", "state",
        "district", "county", "variable", "job", "role", "department", "dept", "merchant",
        "vendor", "supplier", "game", "movie", "film", "track", "album", "channel", "group",
        "tag", "label", "metric", "service", "machine", "node", "cluster", "bucket", "key",
        "stage", "step", "task", "test", "plan", "policy", "pipeline", "sku", "color", "colour",
        "font", "image", "zone", "site", "page", "url", "link", "path", "unit", "currency",
        "language", "genre", "venue", "stadium", "airport", "station", "port", "ship",
        "vessel", "building", "user", "username", "screen", "account", "attribute", "param",
        "parameter", "setting", "index", "sensor", "instrument", "ticker", "fund", "asset",
    }
)  # fmt: skip


#: Tokens that show an "address" is not a postal one.
NON_POSTAL_ADDRESS_TOKENS = frozenset(
    {"ip", "ipv4", "ipv6", "email", "mail", "mac", "web", "url", "wallet", "memory", "hex",
     "remote", "server", "contract", "bitcoin", "btc", "eth", "host", "network", "bus"}
)  # fmt: skip


STREET_WORDS = (
    "street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|"
    "terrace|square|sq|parkway|pkwy|highway|hwy|circle|cir|crescent|close|grove|gardens|row|"
    "trail|trl|alley|plaza|suite|apt|apartment|unit|floor|po box|"
    "strasse|str|weg|allee|platz|gasse|ring|damm|ufer|chaussee|"
    "rue|avenue|boulevard|chemin|impasse|allee|quai|"
    "calle|avenida|paseo|plaza|carrer|via|viale|piazza|corso|straat|laan|plein|gracht"
)


HONORIFICS = frozenset(
    {
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev", "herr", "frau",
        "mme", "mlle", "m", "sr", "sra", "srta", "don", "dona", "sig", "sig.ra", "master",
    }
)  # fmt: skip


PARTICLES = frozenset(
    {
        "van", "von", "de", "da", "del", "della", "der", "den", "di", "du", "la", "le", "bin",
        "binti", "al", "el", "ibn", "ter", "ten", "zu", "y", "dos", "das", "do", "st", "st.",
    }
)  # fmt: skip


SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "jnr", "snr"})


def _lexicon(*terms: str) -> frozenset[str]:
    return frozenset(normalise_value(term) for term in terms)


#: Values that point at a special category. "strong" terms name it unambiguously; "weak"
#: ones (white, black, orthodox, liberal) also describe products, colours or opinions about
#: cooking, so they count only beside a strong term or a matching column name.
CATEGORY_LEXICONS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "racial_ethnic_origin": (
        _lexicon(
            "asian", "hispanic", "latino", "latina", "latinx", "caucasian", "african american",
            "african-american", "native american", "american indian", "alaska native",
            "pacific islander", "native hawaiian", "amer-indian-eskimo", "asian-pac-islander",
            "middle eastern", "arab", "multiracial", "biracial", "aboriginal",
            "torres strait islander", "hispanic or latino", "not hispanic or latino",
            "black or african american", "white british", "black british", "south asian",
            "east asian", "roma", "sinti", "parda", "pardo", "indigena", "indigene",
            "afrodescendiente", "afro-descendant", "maghrebin", "magrebi", "two or more races",
            "american indian or alaska native", "mestizo", "mestico", "gitano",
            "cauc", "afam", "non-hispanic white", "non-hispanic black", "white non-hispanic",
            "black non-hispanic",
            # census and survey group labels (England and Wales, Latin America, Europe)
            "black caribbean", "black african", "pakistani", "bangladeshi", "white irish",
            "white other", "irish traveller", "gypsy or irish traveller",
            "any other white background",
            "mixed white and black caribbean", "mixed white and asian", "afroamericano",
            "afroamericana", "afro-americain", "afro-americaine", "afro-american", "afroamerican",
            "hispano", "hispana", "latinoamericano", "latinoamericana", "mulato", "mulata",
            "asiatico", "asiatica", "asiatique", "asiatisch", "aborigene", "autochtone",
            "amerindio", "amerindia", "nativo americano", "sinti und roma",
        ),
        _lexicon("white", "black", "other", "mixed", "mixed race", "indian", "chinese",
                 "unknown", "not stated", "branca", "branco", "preta", "preto", "amarela",
                 "amarelo", "blanc", "noir", "blanco", "negro", "bianco", "nero", "wit", "zwart",
                 "weiss", "schwarz"),
    ),
    "religion": (
        _lexicon(
            "catholic", "roman catholic", "protestant", "muslim", "islam", "islamic", "jewish",
            "judaism", "hindu", "hinduism", "buddhist", "buddhism", "christian", "christianity",
            "atheist", "agnostic", "sikh", "sikhism", "evangelical", "lutheran", "anglican",
            "baptist", "methodist", "mormon", "shia", "sunni", "katholisch", "evangelisch",
            "romisch-katholisch", "muslimisch", "judisch", "konfessionslos", "jain", "taoist",
            "shinto", "jehovah's witness", "pentecostal", "presbyterian", "quaker",
            # fr, es, it, pt, nl, de
            "catholique", "protestante", "musulman", "musulmane", "juif", "juive", "athee",
            "bouddhiste", "hindou", "catolico", "catolica", "musulman", "judio", "judia",
            "evangelico", "evangelica", "budista", "sin religion", "ateo", "atea",
            "cattolico", "cattolica", "musulmano", "ebreo", "ebrea", "buddista", "ateo",
            "mucumano", "muculmano", "judeu", "judaica", "espirita", "umbanda", "candomble",
            "sem religiao", "katholiek", "protestants", "moslim", "islamitisch", "joods",
            "hindoe", "boeddhist", "geen religie", "romisch katholisch", "judisch",
            "ohne konfession",
            "evangelisch lutherisch", "freikirchlich", "orthodox christian", "greek orthodox",
            "church of england", "church of scotland", "latter-day saints", "seventh-day adventist",
            "eastern orthodox", "russian orthodox", "coptic", "zoroastrian", "bahai", "baha'i",
            "unitarian", "nondenominational", "non-denominational", "born again",
            "orthodox jewish", "reform jewish", "episcopalian", "adventist",
        ),
        _lexicon("orthodox", "none", "no religion", "other", "rk", "ev", "ohne"),
    ),
    "health": (
        _lexicon(
            "diabetes", "type 1 diabetes", "type 2 diabetes", "hypertension", "asthma",
            "depression", "cancer", "hiv", "aids", "hiv positive", "covid-19", "copd",
            "epilepsy", "dementia", "alzheimer's", "alzheimers", "schizophrenia",
            "bipolar disorder", "anxiety disorder", "obesity", "stroke", "heart disease",
            "coronary artery disease", "arthritis", "hepatitis", "tuberculosis", "pregnant",
            "autism", "adhd", "multiple sclerosis", "parkinson's", "leukemia", "lymphoma",
            "migraine", "chronic kidney disease", "heart failure", "pneumonia",
            "malignant", "benign", "diabete", "diabete de type 2", "bluthochdruck",
            "hypertonie", "herzinsuffizienz", "asthme", "asma", "depressione", "depresion",
            "depressao", "depressie", "cancro", "krebs", "kanker", "hipertension",
            "hipertensao", "ipertensione", "hoge bloeddruk", "epilepsie", "epilessia",
            "epilepsia", "demenz", "demence", "demencia", "demenza", "dementie",
            "insuffisance cardiaque", "insuficiencia cardiaca",
            # smoking status, trial arms
            "smoker", "non-smoker", "nonsmoker", "never smoker", "never smoked",
            "former smoker", "ex-smoker", "current smoker", "daily smoker", "occasional smoker",
            "fumeur", "non-fumeur", "non fumeur", "ancien fumeur", "raucher", "nichtraucher",
            "ex-raucher", "fumador", "no fumador", "exfumador", "fumatore", "non fumatore",
            "ex fumatore", "fumante", "nao fumante", "ex-fumante", "roker", "niet-roker",
            "niet roker", "placebo", "squamous", "adeno", "adenocarcinoma", "smallcell",
            "small cell", "large cell", "carcinoma", "melanoma", "sarcoma", "metastatic",
            # the person as a patient
            "diabetic", "non-diabetic", "nondiabetic", "prediabetic", "pre-diabetic",
            "prediabetes", "asthmatic", "hypertensive", "normotensive", "epileptic",
            "hiv negative", "hiv-positive", "hiv-negative", "seropositive", "seronegative",
            "infection", "infected", "sepsis", "influenza",
            # where a patient was seen or admitted
            "inpatient", "outpatient", "in-patient", "out-patient", "day surgery",
            "intensive care", "icu", "hospitalised", "hospitalized", "ambulatory",
            # gestation at birth
            "preterm", "pre-term", "full term", "full-term", "premie", "premature birth",
            "diabetique", "diabetico", "diabetica", "diabetiker", "diabetisch",
        ),
        _lexicon("healthy", "none", "other", "anxiety", "positive", "negative", "keine",
                 "aucune", "ninguna", "nessuna", "nenhuma", "geen", "gesund", "sain", "sano",
                 "treated", "untreated", "verum",
                 # admission types, beside a patient or health name
                 "emergency", "elective", "urgent", "observation", "newborn"),
    ),
    "sex_life_orientation": (
        _lexicon("heterosexual", "homosexual", "bisexual", "gay", "lesbian", "asexual",
                 "pansexual", "queer", "heterosexuel", "heterosexuelle", "homosexuel",
                 "homosexuelle", "bisexuel", "bisexuelle", "lesbienne", "heterosexuales",
                 "lesbiana", "bisexuales", "eterosessuale", "omosessuale", "bisessuale",
                 "heterossexual", "homossexual", "bissexual", "heteroseksueel",
                 "homoseksueel", "biseksueel", "lesbisch", "heterosexuell", "homosexuell",
                 "bisexuell"),
        _lexicon("straight", "other", "prefer not to say"),
    ),
    "political_opinion": (
        _lexicon(
            "democrat", "republican", "democratic party", "republican party", "socialist",
            "communist", "libertarian", "green party", "labour", "labour party",
            "conservative party", "liberal democrats", "cdu", "csu", "spd", "fdp", "afd",
            "die linke", "bundnis 90/die grunen", "tory", "ukip", "sinn fein",
            "federalist", "whig", "democratic-republican", "democratic", "national union",
            "psoe", "partido popular", "podemos", "vox", "sumar", "partido socialista",
            "fratelli d'italia", "lega", "movimento 5 stelle", "forza italia",
            "partito democratico", "rassemblement national", "la france insoumise",
            "les republicains", "parti socialiste", "renaissance", "eelv", "vvd", "pvv", "cda",
            "d66", "groenlinks", "pvda", "chega", "bloco de esquerda", "psd",
        ),
        _lexicon("conservative", "liberal", "independent", "green", "left", "right",
                 "centre", "center", "other", "none", "unaffiliated", "pd", "ps", "pp",
                 "azione", "no party"),
    ),
    "union_membership": (
        _lexicon("cgt", "cfdt", "cfe-cgc", "cftc", "unsa", "fsu", "fnv", "cnv", "de unie",
                 "cgil", "cisl", "uil", "ugt", "ccoo", "comisiones obreras", "ver.di", "verdi",
                 "ig metall", "dgb", "unite", "unison", "gmb", "afl-cio", "teamsters", "seiu",
                 "cgtp", "union member", "union-member", "unionised", "unionized"),
        _lexicon("fo", "sud", "none", "no", "yes", "geen", "aucun", "aucune", "ninguno",
                 "nessuno", "nenhum", "keine", "member", "non-member"),
    ),
}  # fmt: skip


#: Words that name a party family inside longer answers ("Strong Democrat").
PARTY_FAMILY_WORDS = frozenset(
    {"democrat", "democrats", "republican", "republicans", "socialist", "socialists",
     "communist", "communists", "libertarian", "libertarians", "sozialdemokrat", "socialiste",
     "socialista", "comunista", "communiste", "kommunist"}
)  # fmt: skip


#: (kind, pattern on ``_<normalised name>_``). Order matters: ``personal_status`` in German
#: Credit mixes sex and marital status, and fairness tooling treats it as marital status.
PROTECTED_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("marital_status", r"_(marital|civil|family|personal|relationship)_?status_|_marital_"
                           r"|_married_|_familienstand_|_etat_?civil_|_estado_?civil_"
                           r"|_relationship_"),
        ("sex", r"_sex_|_sexe_|_sexo_|_geschlecht_|_biological_?sex_|_sex_?at_?birth_"),
        ("gender", r"_gender(_?identity)?_|_genero_"),
        ("age", r"_age(_?(years?|group|band|bucket|bin|range|cat(egory)?|at_?\w+))?_|_ages_"
                r"|_alter_|_edad_|_eta_|_d_?o_?b_|_(date|year)_?of_?birth_|_birth_?(date|year)_"
                r"|_geburts_?(datum|jahr)_|_age_?in_?years_"),
        ("race", r"_race_|_racial_|_raza_|_skin_?(colou?r|tone)_"),
        ("ethnicity", r"_ethnic(ity|_?origin|_?group|_?background)?_|_ethnie_|_etnia_"),
        ("nationality", r"_nationalit(y|ies|e|at)_|_citizenship_|_(native|birth)_?country_"
                        r"|_country_?of_?(birth|origin|citizenship)_|_foreign(_?worker|er)?_"
                        r"|_immigra(nt|tion)(_?status)?_|_migration_?background_"
                        r"|_staats_?angehorigkeit_|_migrationshintergrund_"),
        ("religion", r"_religio(n|us|ne)_|_faith_|_konfession_|_denomination_"),
        ("disability", r"_disabilit(y|ies)_|_disabled_|_handicap(ped)?_|_behinderung_"
                       r"|_impairment_"),
    )
)  # fmt: skip


#: Things that have an age or a status but are not people.
NON_PERSON_ATTRIBUTE_TOKENS = frozenset(
    {
        "account", "vehicle", "car", "building", "house", "property", "loan", "credit",
        "contract", "policy", "product", "device", "file", "record", "cache", "page", "item",
        "machine", "data", "model", "tree", "equipment", "asset", "company", "firm", "business",
        "battery", "tyre", "tire", "engine", "debt", "claim", "case", "ticket", "job",
    }
)  # fmt: skip


#: Special-category phrases that codebooks abbreviate into variable names (``chcond``,
#: ``hscore``, ``relig``; see ``abbreviations``). ``*`` marks the headword, the word that
#: carries the category; a ``.`` inside a one-word phrase marks its shortest prefix that
#: still names it (``medic.ine``: "medi" is a median as often). English, German, French,
#: Spanish, Italian, Portuguese and Dutch.
ABBREVIATED_PHRASES: dict[str, tuple[str, ...]] = {
    "health": (
        "bad *health", "poor *health", "good *health", "fair *health", "*health score",
        "*health status", "*health index", "*health problem", "*health limitation",
        "self rated *health", "mental *health", "physical *health", "*chronic condition",
        "*chronic disease", "*chronic illness", "number of *chronic conditions", "*disease",
        "*illness", "*diabetes", "*diabetic", "*hypertension", "*asthma", "*arthritis",
        "*depression", "*disability", "*disabled.", "*pregnant", "*pregnancy",
        "physical *limitation", "activity *limitation", "*medic.ation", "*medic.ine",
        "*prescription", "*diagnosis", "*symptom", "*hospital admission", "*hospital days",
        "*hospital stays", "*blood pressure", "*smoker", "*smoking", "*cigarettes",
        "*cholesterol", "*mental illness",
        "*gesund.heit", "*gesundheitszustand", "*krank.heit", "chronische *krankheit",
        "*behinde.rung", "*schwang.erschaft", "*raucher", "etat de *sante", "*malad.ie",
        "maladie *chronique", "*fumeu.r", "estado de *salud", "*enfermedad",
        "enfermedad *cronica", "*discapacidad", "*embar.azo", "*fumador", "*malatt.ia",
        "*disabilita", "*gravid.anza", "*fumatore", "estado de *saude", "*doenc.a",
        "doenca *cronica", "*deficie.ncia", "*gezondheid", "*ziekte", "chronische *ziekte",
        "*zwangerschap", "*roker",
    ),
    "religion": (
        "*relig.ion", "*relig.ious", "*relig.iosity", "*religious affiliation",
        "*religious attendance", "*church attendance", "*denomination", "*konfession",
        "*relig.ione", "*relig.iao", "*godsdienst", "*relig.ie",
    ),
    "racial_ethnic_origin": (
        "*ethnicity", "*ethnic", "*ethnic group", "*ethnic origin", "*race", "*hispanic",
        "*african american", "*caucasian", "*ethnie", "*etnia", "*etnicidad", "*afkomst",
    ),
    "political_opinion": (
        "*party identification", "*political party", "*party preference", "*vote intention",
        "*voting intention", "*ideology", "*partisanship", "*political views",
        "*partei.", "*parti politique", "*partido.", "*partito.", "*partij.",
    ),
    "union_membership": (
        "*union member", "*union membership", "*trade union", "*gewerkschaft", "*syndicat.",
        "*sindicato", "*sindacato", "*vakbond",
    ),
    "sex_life_orientation": (
        "*sexual orientation", "*sex partners", "*sexual partners", "*sexual activity",
    ),
    "genetic": ("*genotype", "*genet.ic", "*genetic test"),
    "biometric": ("*fingerprint.", "*biometric."),
}  # fmt: skip


#: Small words an abbreviation may leave out ("number of chronic conditions": ``nchcond``).
ABBREVIATION_SKIPPED_WORDS = frozenset(
    {"of", "de", "du", "des", "la", "le", "del", "di", "do", "da", "van", "der", "the"}
)


#: Outcomes of a laboratory or screening test. Alone they are also a sentiment or a QA
#: verdict; beside other health data in the table they are a patient's test results.
TEST_OUTCOMES = frozenset(
    {"positive", "negative", "pos", "neg", "detected", "not detected", "reactive",
     "non reactive", "nonreactive", "invalid", "inconclusive", "indeterminate", "equivocal",
     "borderline", "normal", "abnormal"}
)  # fmt: skip
#: Of which at least two different ones must be there, one of them positive-like.
TEST_POSITIVE_OUTCOMES = frozenset({"positive", "pos", "detected", "reactive", "abnormal"})
