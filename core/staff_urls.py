"""The staff workspace: one namespace for its pages, one for its API, gathered from the apps."""

from exchanges import staff_urls as exchanges_urls
from families import staff_urls as requests_urls
from prisoners import staff_urls as records_urls
from prisoners import track_urls

app_name = "staff"

urlpatterns = [
    *track_urls.urlpatterns,
    *requests_urls.urlpatterns,
    *records_urls.urlpatterns,
    *exchanges_urls.urlpatterns,
]
