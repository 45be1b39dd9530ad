"""Forms of the PCAET pages. The file is read here (every problem at once); toolbox/pcaet.py writes."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from assett.forms import DsfrForm

from .models import Action, PcaetProgramme
from .pcaet_file import MAX_FILE_BYTES, MAX_ROWS, PcaetFileError, read_pcaet_file

ACCEPT = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PcaetImportForm(DsfrForm):
    file = forms.FileField(
        label=_("Fichier du programme d'actions"),
        help_text=format_lazy(
            _(
                "Formats acceptés : CSV (UTF-8, séparé par « ; » ou « , ») ou Excel (.xlsx). "
                "Taille maximale : {size} Mo, {rows} actions au plus."
            ),
            size=MAX_FILE_BYTES // 2**20,
            rows=MAX_ROWS,
        ),
        widget=forms.FileInput(attrs={"accept": ACCEPT, "class": "fr-upload"}),
    )
    title = forms.CharField(
        label=_("Intitulé du programme"),
        max_length=PcaetProgramme._meta.get_field("title").max_length,
        help_text=_("Par exemple : PCAET 2025-2030 de la communauté urbaine."),
    )
    note = forms.CharField(
        label=_("Note sur le programme"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Facultatif : affichée en tête des pages du PCAET (source, date d'adoption, statut du document)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.group_class = "fr-upload-group"
        self.problems = []
        self.rows = None

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        try:
            self.rows = read_pcaet_file(uploaded)
        except PcaetFileError as error:
            self.problems = error.problems
            raise forms.ValidationError(
                ngettext(
                    "Le fichier comporte %(count)s problème, détaillé ci-dessus : rien n'a été importé.",
                    "Le fichier comporte %(count)s problèmes, détaillés ci-dessus : rien n'a été importé.",
                    len(error.problems),
                )
                % {"count": len(error.problems)}
            ) from error
        return uploaded


class PcaetConfirmForm(DsfrForm):
    KEEP, REMOVE = "keep", "remove"
    missing = forms.ChoiceField(
        label=_("Actions du PCAET absentes du nouveau fichier"),
        choices=[
            (KEEP, _("Les conserver, avec leurs liens vers la boîte à outils (placées après les actions du fichier)")),
            (REMOVE, _("Les supprimer, avec leurs liens vers la boîte à outils")),
        ],
        initial=KEEP,
        widget=forms.RadioSelect,
    )


class PcaetLinksForm(forms.Form):
    """Rendered by hand (templates/toolbox/pcaet/action.html): one group of checkboxes per theme."""

    actions = forms.ModelMultipleChoiceField(queryset=Action.objects.none(), required=False)

    def __init__(self, *args, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actions"].queryset = actions
