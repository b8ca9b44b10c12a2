"""Pages of the provider register and the referral inbox. The URL map adds the residential
institutions pages (care.urls.institution_urlpatterns) to this namespace."""

from django.urls import path

from ocrotire.providers import views

app_name = "providers"

urlpatterns = [
    path("", views.provider_list_view, name="list"),
    path("<id:pk>/", views.provider_detail_view, name="detail"),
    path("services/", views.service_point_list_view, name="services"),
    path("services/<id:pk>/", views.service_point_detail_view, name="service"),
    path("gaps/", views.gap_view, name="gaps"),
    path("referrals/", views.referral_inbox_view, name="referrals"),
    path("referrals/<id:pk>/<slug:step>/", views.referral_step_view, name="referral-step"),
]
