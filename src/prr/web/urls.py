from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from prr.web.views import (
    account,
    channels,
    dashboard,
    inbox,
    lifecycle,
    playbooks,
    reports,
    reviews,
    snapshot_diff,
    snapshots,
    start,
    teams,
    waivers,
)

app_name = "web"

urlpatterns: list[URLPattern | URLResolver] = [
    path("login/", account.SignInView.as_view(), name="login"),
    path("logout/", account.SignOutView.as_view(), name="logout"),
    path("password/", account.PasswordChangeView.as_view(), name="password_change"),
    path("account/", account.account, name="account"),
    path("account/email/", account.email_choice, name="email_choice"),
    path("account/time-zone/", account.time_zone_choice, name="time_zone_choice"),
    path("account/tokens/", account.token_create, name="token_create"),
    path("account/tokens/<int:token_id>/revoke/", account.token_revoke, name="token_revoke"),
    path("", dashboard.dashboard, name="dashboard"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("waivers/", waivers.waivers, name="waivers"),
    path("reports/", reports.reports, name="reports"),
    path("reports/<slug:key>.csv", reports.report_csv, name="report_csv"),
    path("inbox/<int:notification_id>/read/", inbox.read, name="inbox_read"),
    path("inbox/read-all/", inbox.read_all, name="inbox_read_all"),
    path("inbox/unsubscribe/<str:token>/", inbox.unsubscribe, name="unsubscribe"),
    path("reviews/new/", start.start, name="review_new"),
    path("reviews/<int:number>/", reviews.review_page, name="review"),
    path("reviews/<int:number>/live/", reviews.live, name="review_live"),
    path("reviews/<int:number>/messages/", reviews.post, name="review_post"),
    path("reviews/<int:number>/answers/<slug:section_key>/", reviews.answer, name="review_answer"),
    path("reviews/<int:number>/items/<slug:key>/", reviews.set_item, name="review_item"),
    path(
        "reviews/<int:number>/answers/<slug:section_key>/preview/",
        reviews.answer_preview,
        name="review_answer_preview",
    ),
    path("reviews/<int:number>/items/<slug:key>/assignee/", reviews.assign, name="review_assign"),
    path("reviews/<int:number>/reviewers/", reviews.reviewers, name="review_reviewers"),
    path("reviews/<int:number>/waivers/", reviews.waive, name="review_waive"),
    path("reviews/<int:number>/follow-ups/", reviews.follow_up_raise, name="review_follow_up"),
    path(
        "reviews/<int:number>/follow-ups/<int:follow_up>/done/",
        reviews.follow_up_done,
        name="review_follow_up_done",
    ),
    path("reviews/<int:number>/restart/", reviews.restart, name="review_restart"),
    path(
        "reviews/<int:number>/rereview-request/",
        reviews.rereview_request,
        name="review_rereview_request",
    ),
    path("reviews/<int:number>/channels/", channels.channels, name="review_channels"),
    path(
        "reviews/<int:number>/channels/<str:platform>/unlink/",
        channels.unlink,
        name="review_channel_unlink",
    ),
    path("reviews/<int:number>/close/", lifecycle.confirm, {"verb": "close"}, name="review_close"),
    path(
        "reviews/<int:number>/reopen/", lifecycle.confirm, {"verb": "reopen"}, name="review_reopen"
    ),
    path(
        "reviews/<int:number>/cancel/", lifecycle.confirm, {"verb": "cancel"}, name="review_cancel"
    ),
    path("reviews/<int:number>/diff/", snapshot_diff.snapshot_diff, name="snapshot_diff"),
    path(
        "reviews/<int:number>/snapshots/<int:version>/",
        snapshots.snapshot_page,
        name="snapshot",
    ),
    path(
        "reviews/<int:number>/snapshots/<int:version>.md",
        snapshots.snapshot_markdown,
        name="snapshot_md",
    ),
    path(
        "reviews/<int:number>/snapshots/<int:version>.pdf",
        snapshots.snapshot_pdf,
        name="snapshot_pdf",
    ),
    path(
        "reviews/<int:number>/snapshots/<int:version>.json",
        snapshots.snapshot_json,
        name="snapshot_json",
    ),
    path("reviews/<str:ref>/", reviews.review_by_ref, name="review_ref"),
    path("playbooks/", playbooks.playbook_list, name="playbooks"),
    path("playbooks/upload/", playbooks.playbook_upload, name="playbook_upload"),
    path("playbooks/<slug:slug>/", playbooks.playbook_latest, name="playbook"),
    path(
        "playbooks/<slug:slug>/v<int:number>/", playbooks.playbook_version, name="playbook_version"
    ),
    path("playbooks/<slug:slug>/diff/", playbooks.playbook_diff, name="playbook_diff"),
    path("teams/", teams.team_list, name="teams"),
    path("teams/<slug:slug>/members/", teams.add_member, name="team_add_member"),
    path("teams/<slug:slug>/directory/", teams.link_directory, name="team_link"),
    path("teams/<slug:slug>/directory/unlink/", teams.unlink_directory, name="team_unlink"),
    path(
        "teams/<slug:slug>/members/<str:username>/remove/",
        teams.remove_member,
        name="team_remove_member",
    ),
]
