"""API of tasks, task updates, the bureau matrix and supervision items: thin, calling the same selectors
and services as the pages, under the same access rules."""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.access import user_department_id
from core.periods import QUARTER_SCHEMA_PATTERN
from plans.filtersets import ID_SCHEMA, empty_parameters
from plans.models import Department
from tasks import selectors, services
from tasks.api.serializers import (
    DepartmentTaskRowSerializer,
    InstructionAnswerSerializer,
    InstructionCreateSerializer,
    InstructionSerializer,
    InstructionTextSerializer,
    SupervisionAnswerSerializer,
    SupervisionEmptySerializer,
    SupervisionIssueSerializer,
    SupervisionItemSerializer,
    SupervisionNoteSerializer,
    SupervisionReturnSerializer,
    TaskMatrixSerializer,
    TaskSerializer,
    TaskUpdateCreateSerializer,
    TaskUpdateSerializer,
)
from tasks.evidence import EVIDENCE_TYPES
from tasks.filtersets import (
    InstructionFilterSet,
    SupervisionItemFilterSet,
    TaskFilterSet,
    TaskUpdateFilterSet,
    task_matrix_query,
)
from tasks.models import Task, TaskAssignment, TaskUpdate
from tasks.views import evidence_file_response

EVIDENCE_CONTENT_TYPES = sorted({kind.content_type for kind in EVIDENCE_TYPES.values()})


class TaskViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TaskSerializer
    filterset_class = TaskFilterSet

    def get_queryset(self):
        return (
            Task.objects.visible_to(self.request.user)
            .select_related("plan__city")
            .prefetch_related(
                Prefetch("assignments", TaskAssignment.objects.select_related("department")), "indicators"
            )
        )

    @extend_schema(responses=DepartmentTaskRowSerializer(many=True))
    @action(detail=False, filterset_class=None, pagination_class=None)
    def mine(self, request):
        """我的任务: every task of the user's department with its indicators, last update and report status."""
        department_id = user_department_id(request.user)
        if department_id is None:
            return Response([])
        rows = selectors.department_tasks(
            department=Department.objects.get(pk=department_id), as_of=timezone.localdate()
        )
        return Response(DepartmentTaskRowSerializer(rows, many=True).data)


class TaskUpdateViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Quarterly task updates: read what the user may see, create for the user's own department; never
    changed or deleted."""

    filterset_class = TaskUpdateFilterSet
    parser_classes = [MultiPartParser, JSONParser]

    def get_queryset(self):
        return (
            TaskUpdate.objects.visible_to(self.request.user)
            .select_related("department", "author")
            .order_by("-created_at", "-pk")
        )

    def get_serializer_class(self):
        return TaskUpdateCreateSerializer if self.action == "create" else TaskUpdateSerializer

    @extend_schema(request=TaskUpdateCreateSerializer, responses={201: TaskUpdateSerializer})
    def create(self, request, *args, **kwargs):
        incoming = TaskUpdateCreateSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        update = services.task_update_submit(
            user=request.user,
            task=data["task"],
            quarter=data["quarter"],
            state=data["state"],
            text=data["text"],
            evidence_file=data.get("evidence"),
        )
        return Response(TaskUpdateSerializer(update).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            **{(200, content_type): OpenApiTypes.BINARY for content_type in EVIDENCE_CONTENT_TYPES},
            404: None,
        }
    )
    @action(detail=True)
    def evidence(self, request, pk=None):
        """The evidence file, as an attachment only."""
        update = self.get_object()
        if not update.evidence:
            raise Http404
        return evidence_file_response(update)


MATRIX_PARAMETERS = ("plan", "quarter", "department", "section", "state")


class TaskMatrixViewSet(viewsets.ViewSet):
    """The bureau matrix: ?plan=<code>&quarter=2025Q2&department=<id>&section=<章节>&state=<state>."""

    serializer_class = TaskMatrixSerializer
    may_not_find = True  # a plan the user may not oversee

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "plan",
                {"type": "string", "minLength": 1},
                description="方案代码；默认用户可查看的第一个方案（其他方案 404）",
            ),
            OpenApiParameter(
                "quarter",
                {"type": "string", "pattern": QUARTER_SCHEMA_PATTERN},
                description="季度，如 2025Q2；默认最近应报季度",
            ),
            OpenApiParameter("department", ID_SCHEMA, description="部门 id（该方案有任务的部门）"),
            OpenApiParameter("section", {"type": "string", "minLength": 1}, description="章节（该方案的章节之一）"),
            OpenApiParameter("state", {"type": "string", "enum": TaskUpdate.State.values}, description="进展状态"),
        ],
        responses=TaskMatrixSerializer,
    )
    def list(self, request):
        empty = empty_parameters(request.query_params, MATRIX_PARAMETERS)
        if empty:
            raise ValidationError(empty)
        as_of = timezone.localdate()
        query = task_matrix_query(user=request.user, params=request.query_params, as_of=as_of)
        matrix = selectors.task_matrix(
            plan=query.plan,
            quarter=query.quarter,
            tasks=query.filterset.qs,
            as_of=as_of,
            department=query.filterset.form.cleaned_data.get("department"),
        )
        return Response(TaskMatrixSerializer(matrix).data)


class SupervisionItemViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """督办 items with every step and 批示; creating one is 下发 by hand; the actions are those of the page,
    under the same rules (403 not allowed, 400 invalid or not the step the item waits for, 409 changed)."""

    serializer_class = SupervisionItemSerializer
    filterset_class = SupervisionItemFilterSet
    may_conflict = True
    may_not_find = True  # a department filter naming one without items

    def get_queryset(self):
        return selectors.visible_supervision(user=self.request.user, as_of=timezone.localdate()).prefetch_related(
            "steps__actor", Prefetch("instructions", selectors.visible_instructions(user=self.request.user))
        )

    def _answer(self, item_pk):
        return Response(SupervisionItemSerializer(self.get_queryset().get(pk=item_pk)).data)

    @extend_schema(request=SupervisionIssueSerializer, responses={201: SupervisionItemSerializer})
    def create(self, request, *args, **kwargs):
        incoming = SupervisionIssueSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        item = services.supervision_issue(user=request.user, **incoming.validated_data)
        return Response(self._answer(item.pk).data, status=status.HTTP_201_CREATED)

    def _act(self, request, input_serializer, service):
        item = self.get_object()
        incoming = input_serializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        service(user=request.user, item=item, **incoming.validated_data)
        return self._answer(item.pk)

    @extend_schema(request=SupervisionEmptySerializer, responses=SupervisionItemSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        return self._act(request, SupervisionEmptySerializer, services.supervision_acknowledge)

    @extend_schema(request=SupervisionAnswerSerializer, responses=SupervisionItemSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._act(request, SupervisionAnswerSerializer, services.supervision_submit)

    @extend_schema(request=SupervisionReturnSerializer, responses=SupervisionItemSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        return self._act(request, SupervisionReturnSerializer, services.supervision_return)

    @extend_schema(request=SupervisionNoteSerializer, responses=SupervisionItemSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._act(request, SupervisionNoteSerializer, services.supervision_accept)

    @extend_schema(request=SupervisionNoteSerializer, responses=SupervisionItemSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._act(request, SupervisionNoteSerializer, services.supervision_close)

    @extend_schema(request=SupervisionNoteSerializer, responses=SupervisionItemSerializer)
    @action(detail=True, methods=["post"], url_path="close-early")
    def close_early(self, request, pk=None):
        return self._act(request, SupervisionNoteSerializer, services.supervision_close_early)

    @extend_schema(request=InstructionTextSerializer, responses=SupervisionItemSerializer)
    @action(detail=True, methods=["post"])
    def instruct(self, request, pk=None):
        """A leader's 批示 on this item."""
        return self._act(
            request,
            InstructionTextSerializer,
            lambda *, user, item, text: services.instruction_create(user=user, item=item, text=text),
        )


class InstructionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Leaders' 批示: read what you may see (unanswered first), write one (leaders), answer one (the
    department addressed)."""

    serializer_class = InstructionSerializer
    filterset_class = InstructionFilterSet
    may_conflict = True

    def get_queryset(self):
        return selectors.visible_instructions(user=self.request.user)

    @extend_schema(request=InstructionCreateSerializer, responses={201: InstructionSerializer})
    def create(self, request, *args, **kwargs):
        incoming = InstructionCreateSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        item_pk = data.pop("item")
        if item_pk is not None:
            visible = selectors.visible_supervision(user=request.user, as_of=timezone.localdate())
            data["item"] = get_object_or_404(visible, pk=item_pk)
        instruction = services.instruction_create(user=request.user, **data)
        return Response(InstructionSerializer(instruction).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=InstructionAnswerSerializer, responses=InstructionSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        instruction = self.get_object()
        incoming = InstructionAnswerSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.instruction_answer(user=request.user, instruction=instruction, **incoming.validated_data)
        return Response(InstructionSerializer(self.get_queryset().get(pk=instruction.pk)).data)
