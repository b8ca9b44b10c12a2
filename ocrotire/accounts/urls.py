"""Sign-in, profile and institution pages."""

from django.urls import path

from ocrotire.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/verify/", views.otp_verify_view, name="otp-verify"),
    path("two-factor/setup/", views.otp_setup_view, name="otp-setup"),
    path("logout/", views.logout_view, name="logout"),
    path("language/", views.language_view, name="language"),
    path("profile/", views.profile_view, name="profile"),
    path("institutions/", views.institution_list_view, name="institution-list"),
    path("institutions/new/", views.institution_create_view, name="institution-create"),
    path("institutions/<id:pk>/", views.institution_detail_view, name="institution-detail"),
    path("institutions/<id:pk>/edit/", views.institution_edit_view, name="institution-edit"),
]
