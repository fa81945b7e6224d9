from django import forms

from core.errors import DomainError
from core.forms import form_add_domain_error


class NameForm(forms.Form):
    surname = forms.CharField()
    birth_year = forms.IntegerField()
    version = forms.IntegerField(widget=forms.HiddenInput)


def valid_form() -> NameForm:
    """A form that passed its own checks, as one does before its service is called."""
    form = NameForm(data={"surname": "Melnyk", "birth_year": 1990, "version": 3})
    assert form.is_valid()
    return form


def test_it_puts_each_message_next_to_its_field():
    form = valid_form()
    form_add_domain_error(form, DomainError("Please correct the errors below.", fields={"surname": ["Too short."]}))

    assert form.errors == {"surname": ["Too short."]}


def test_it_maps_a_model_field_to_the_form_field_that_edits_it():
    form = valid_form()
    error = DomainError("Please correct the errors below.", fields={"date_of_birth": ["After the capture."]})

    form_add_domain_error(form, error, field_names={"date_of_birth": "birth_year"})

    assert form.errors == {"birth_year": ["After the capture."]}


def test_it_shows_messages_about_the_whole_record_above_the_form():
    form = valid_form()
    form_add_domain_error(form, DomainError("Please correct.", fields={"__all__": ["Already recorded."]}))

    assert form.non_field_errors() == ["Already recorded."]


def test_it_shows_the_refusal_itself_when_no_field_of_the_form_is_named():
    form = valid_form()
    error = DomainError("The status cannot change.", fields={"status": ["Not allowed."], "version": ["3"]})

    form_add_domain_error(form, error)

    assert form.errors == {"__all__": ["The status cannot change."]}
