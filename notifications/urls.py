from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("my/notifications/", views.my_notifications, name="mine"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
