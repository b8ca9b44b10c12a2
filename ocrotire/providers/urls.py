"""Pages of the provider register and the referral inbox."""

from django.urls import path

from ocrotire.providers import views

app_name = "providers"

urlpatterns = [
    path("", views.provider_list_view, name="list"),
    path("<id:pk>/", views.provider_detail_view, name="detail"),
    path("services/", views.service_point_list_view, name="services"),
    path("services/<id:pk>/", views.service_point_detail_view, name="service"),
    path("gaps/", views.gap_view, name="gaps"),
    path("institutions/", views.institutions_view, name="institutions"),
    path("institutions/<id:pk>/change/", views.institution_change_view, name="institution-change"),
    path("referrals/", views.referral_inbox_view, name="referrals"),
    path("referrals/<id:pk>/<slug:step>/", views.referral_step_view, name="referral-step"),
]
