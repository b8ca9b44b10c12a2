"""Notification pages and cancelling a task; the cases URL map includes them (paths /cases/notifications/…, names in
the `cases` namespace, as before the workflow app existed)."""

from django.urls import path

from ocrotire.workflow import views

urlpatterns = [
    path("notifications/", views.notification_list_view, name="notifications"),
    path(
        "notifications/read-all/",
        views.notification_read_all_view,
        name="notifications-read-all",
    ),
    path("notifications/<id:pk>/read/", views.notification_read_view, name="notification-read"),
    path("tasks/<id:pk>/cancel/", views.task_cancel_view, name="task-cancel"),
]
