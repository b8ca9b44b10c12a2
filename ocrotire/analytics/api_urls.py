"""The analytics part of the v1 API (included by `ocrotire.site.api_urls`, namespace "api")."""

from ocrotire.analytics.dashboards import apis as dashboards
from ocrotire.analytics.exports import apis as exports
from ocrotire.analytics.official import apis as official

urlpatterns = [
    *official.urlpatterns,
    *dashboards.urlpatterns,
    *exports.urlpatterns,
]
