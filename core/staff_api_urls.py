from exchanges import staff_urls as exchanges_urls
from families import staff_urls as requests_urls
from prisoners import staff_urls as records_urls
from prisoners import track_urls

app_name = "staff_api"

urlpatterns = [
    *track_urls.api_urlpatterns,
    *requests_urls.api_urlpatterns,
    *records_urls.api_urlpatterns,
    *exchanges_urls.api_urlpatterns,
]
