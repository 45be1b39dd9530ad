"""Radio buttons and checkboxes drawn as the State design system's groups (fr-radio-group, fr-checkbox-group).

Our FormRenderer puts Django's own widget templates before the apps' ones, so django-dsfr's option templates
never apply and a RadioSelect or CheckboxSelectMultiple shows the browser's bare inputs. These widgets name
their option template directly. They keep Django's class names on purpose: django-dsfr chooses a field's
fieldset template from the widget's class name (`radioselect`, `checkboxselectmultiple`).
"""

from django import forms

OPTION_TEMPLATE = "assett/choice_option.html"


class RadioSelect(forms.RadioSelect):
    option_template_name = OPTION_TEMPLATE


class CheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    option_template_name = OPTION_TEMPLATE
