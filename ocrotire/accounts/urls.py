"""Sign-in, two-factor, profile, sessions and institution pages."""

from django.urls import path

from ocrotire.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/verify/", views.otp_verify_view, name="otp-verify"),
    path("two-factor/setup/", views.otp_setup_view, name="otp-setup"),
    path("two-factor/recovery-codes/", views.recovery_codes_view, name="recovery-codes"),
    path("two-factor/devices/<id:pk>/remove/", views.device_remove_view, name="device-remove"),
    path("password/", views.password_change_view, name="password-change"),
    path("sessions/", views.sessions_view, name="sessions"),
    path("sessions/<id:pk>/end/", views.session_end_view, name="session-end"),
    path("tokens/<id:pk>/end/", views.token_end_view, name="token-end"),
    path("notices/read/", views.notices_read_view, name="notices-read"),
    path("logout/", views.logout_view, name="logout"),
    path("language/", views.language_view, name="language"),
    path("profile/", views.profile_view, name="profile"),
    path("institutions/", views.institution_list_view, name="institution-list"),
    path("institutions/new/", views.institution_create_view, name="institution-create"),
    path("institutions/<id:pk>/", views.institution_detail_view, name="institution-detail"),
    path("institutions/<id:pk>/edit/", views.institution_edit_view, name="institution-edit"),
]
