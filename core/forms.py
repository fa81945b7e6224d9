from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

from core.errors import DomainError


def form_add_domain_error(form: forms.Form, error: DomainError, *, field_names: dict | None = None) -> None:
    """Show a service's refusal on the form that asked for it.

    Each message goes next to the field it names (``field_names`` maps a model
    field to the form field that edits it); messages about the whole record go
    above the form. When a message names nothing the form shows, the refusal's
    own message goes above the form instead. Hidden fields carry data, not
    messages.
    """
    field_names = field_names or {}
    shown = unplaced = False
    for field, messages in error.fields.items():
        name = field_names.get(field, field)
        if name in form.fields:
            if not form.fields[name].widget.is_hidden:
                for message in messages:
                    form.add_error(name, message)
                    shown = True
        elif field == NON_FIELD_ERRORS:
            for message in messages:
                form.add_error(None, message)
                shown = True
        else:
            unplaced = True
    if unplaced or not shown:
        form.add_error(None, str(error.message))
