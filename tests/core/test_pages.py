from django.urls import reverse


def test_it_explains_the_app_and_links_to_sign_in(client, db):
    response = client.get("/")

    assert response.status_code == 200
    assert "Bringing prisoners of war home" in response.text
    assert reverse("account_login") in response.text
    assert reverse("account_signup") in response.text
    assert reverse("families:lookup") in response.text


def test_it_follows_the_browser_language(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="uk")

    assert response.status_code == 200
    assert '<html lang="uk">' in response.text
    assert "Bringing prisoners of war home" not in response.text


def test_it_switches_language_from_any_page(client, db):
    response = client.post(reverse("families:set_language"), {"language": "ru", "next": "/"}, follow=True)

    assert '<html lang="ru">' in response.text


def test_it_signs_in_with_the_form(client, olena):
    response = client.post(reverse("account_login"), {"login": "olena", "password": "correct-horse-battery"})

    assert response.status_code == 302
    assert client.get("/").context["user"] == olena.user


def test_it_refuses_a_wrong_password_and_says_so(client, carol):
    response = client.post(reverse("account_login"), {"login": "carol", "password": "wrong"})

    assert response.status_code == 200
    assert response.context["user"].is_anonymous
    assert "The username and/or password you specified are not correct." in response.text


def test_it_serves_the_api_schema_and_docs(client, carol):
    client.force_login(carol)

    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


def test_it_serves_the_api_docs_without_a_cdn(client, carol):
    client.force_login(carol)

    page = client.get("/api/docs/").text

    assert "cdn" not in page.lower()
    assert "/static/drf_spectacular_sidecar/" in page


def test_it_has_no_benchmark_view_unless_asked(client, db):
    assert client.get("/bench/bare").status_code == 404


def test_it_answers_an_unknown_api_address_in_json_and_a_page_address_with_the_page(client, db):
    api = client.get("/api/v1/staff/exchanges/not-a-number/")
    page = client.get("/no-such-page/")

    assert api.status_code == 404
    assert api.json() == {"detail": "Not found."}
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
