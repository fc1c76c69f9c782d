from django.urls import path

from kaisai.surveys import views

app_name = "surveys"

urlpatterns = [
    path("events/<int:pk>/manage/survey/", views.manage, name="manage"),
    path("events/<int:pk>/manage/survey/settings/", views.save_settings, name="settings"),
    path("events/<int:pk>/manage/survey/questions/", views.add_question, name="add_question"),
    path(
        "events/<int:pk>/manage/survey/questions/<int:question_id>/delete/",
        views.delete_question,
        name="delete_question",
    ),
    path("events/<int:pk>/manage/survey/schedule/", views.schedule, name="schedule"),
    path("events/<int:pk>/manage/survey/results/", views.results, name="results"),
    path("events/<int:pk>/manage/survey/results.csv", views.results_csv, name="results_csv"),
    path("talks/<int:talk_id>/feedback/", views.talk_feedback, name="talk_feedback"),
    path("survey/<str:token>/", views.answer, name="answer"),
]
