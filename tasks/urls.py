from django.urls import path

from tasks import views

app_name = "tasks"

# The same slugs as the API under /api/v1/ (tasks, task-updates, task-matrix, supervision-items, instructions).
urlpatterns = [
    path("tasks/mine/", views.my_tasks, name="mine"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/updates/", views.task_update_create, name="task_update_create"),
    path("tasks/<int:pk>/instructions/", views.task_instruct, name="task_instruct"),
    path("task-updates/<int:pk>/evidence/", views.evidence_download, name="evidence_download"),
    path("task-matrix/", views.task_matrix, name="task_matrix"),
    path("departments/<int:pk>/tasks/", views.department_tasks, name="department_tasks"),
    path("supervision-items/", views.supervision_list, name="supervision_list"),
    path("supervision-items/new/", views.supervision_new, name="supervision_new"),
    path("supervision-items/<int:pk>/", views.supervision_detail, name="supervision_detail"),
    path("supervision-items/<int:pk>/<slug:action>/", views.supervision_act, name="supervision_act"),
    path("instructions/", views.instruction_list, name="instruction_list"),
    path("instructions/<int:pk>/answer/", views.instruction_answer, name="instruction_answer"),
    path("leading-group/", views.leading_group_home, name="leading_group_home"),
    path("leading-group/<slug:city>/", views.leading_group, name="leading_group"),
]
