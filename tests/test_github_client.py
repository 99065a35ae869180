"""GitHub client and sticky comments against the local fake GitHub API (tests/fake_github.py)."""

from __future__ import annotations

import pytest
from fake_github import FakeGitHub, serving

from engine.errors import GitHubError
from engine.github.client import GitHubClient, IssueComment
from engine.github.comments import Sticky, find_pull_request, find_sticky, parse_marker, post_sticky, shop_id_of

REPO = "acme/catalog"
TOKEN = "ghs_fakeTOKEN_0123456789abcdef"


@pytest.fixture
def fake():
    fake = FakeGitHub()
    fake.add_repo(REPO, pulls={7: [], 8: []})
    fake.add_token(TOKEN, login="github-actions[bot]")
    return fake


@pytest.fixture
def gh(fake):
    with serving(fake) as base_url:
        sleeps: list[float] = []
        with GitHubClient(TOKEN, base_url=base_url, sleep=sleeps.append) as client:
            client.sleeps = sleeps
            yield client


def sticky(shop: str, shop_id: str | None = None, kind: str = "plan") -> Sticky:
    return Sticky(kind, shop_id or shop_id_of(shop), shop)


def body(shop: str, text: str, sha: str = "aaaaaaa", shop_id: str | None = None) -> str:
    return sticky(shop, shop_id).marker("d1g3st", sha) + "\n" + text


def legacy_marker(kind: str, shop: str) -> str:
    """The marker comments had before it carried the shop's folder id."""
    return f"<!-- catalog-engine:{kind} shop={shop.replace(' ', '%20')} digest=d sha=s -->"


def test_first_run_creates_one_comment_second_run_updates_it(fake, gh):
    first = post_sticky(gh, REPO, 7, sticky("Toko A"), body("Toko A", "plan one", "1111111"))
    assert first.action == "created" and len(fake.comments_on(REPO, 7)) == 1
    second = post_sticky(gh, REPO, 7, sticky("Toko A"), body("Toko A", "plan two", "2222222"))
    assert second.action == "updated" and second.comment.id == first.comment.id
    comments = fake.comments_on(REPO, 7)
    assert len(comments) == 1 and comments[0]["body"].endswith("plan two")
    assert parse_marker(comments[0]["body"])["sha"] == "2222222"


def test_an_unchanged_body_is_not_sent_again(fake, gh):
    post_sticky(gh, REPO, 7, sticky("Toko A"), body("Toko A", "same"))
    writes = sum(1 for r in fake.log if r["method"] != "GET")
    again = post_sticky(gh, REPO, 7, sticky("Toko A"), body("Toko A", "same"))
    assert again.action == "unchanged" and sum(1 for r in fake.log if r["method"] != "GET") == writes


def test_other_bots_people_and_other_shops_are_left_alone(fake, gh):
    other_bot = fake.seed_comment(REPO, 7, "<!-- terraform-plan -->\nsomething else", "atlantis[bot]", "Bot")
    quote = fake.seed_comment(REPO, 7, "> " + body("Toko A", "quoted by a person"), "seller", "User")
    other_shop = post_sticky(gh, REPO, 7, sticky("Toko B"), body("Toko B", "shop b")).comment
    post_sticky(gh, REPO, 7, sticky("Toko A"), body("Toko A", "shop a one"))
    post_sticky(gh, REPO, 7, sticky("Toko A"), body("Toko A", "shop a two"))
    by_id = {c["id"]: c for c in fake.comments_on(REPO, 7)}
    assert len(by_id) == 4
    assert by_id[other_bot["id"]]["body"] == "<!-- terraform-plan -->\nsomething else"
    assert by_id[quote["id"]]["body"].endswith("quoted by a person")
    assert by_id[other_shop.id]["body"].endswith("shop b")
    assert sum(c["body"].endswith("shop a two") for c in by_id.values()) == 1


def test_a_shop_whose_name_prefixes_another_is_a_different_shop(fake, gh):
    post_sticky(gh, REPO, 7, sticky("Toko"), body("Toko", "short"))
    post_sticky(gh, REPO, 7, sticky("Toko Besar"), body("Toko Besar", "long"))
    assert len(fake.comments_on(REPO, 7)) == 2


def test_finds_its_comment_beyond_the_first_page(fake, gh):
    for n in range(250):
        fake.seed_comment(REPO, 7, f"comment {n}", "reviewer")
    post_sticky(gh, REPO, 7, sticky("Toko A"), body("Toko A", "first"))
    for n in range(120):
        fake.seed_comment(REPO, 7, f"later {n}", "reviewer")
    before = len(fake.log)
    listed = gh.list_comments(REPO, 7)
    pages = [r for r in fake.log[before:] if r["method"] == "GET"]
    assert len(listed) == 371 and len(pages) == 4 and all("per_page=100" in r["query"] for r in pages)
    result = post_sticky(gh, REPO, 7, sticky("Toko A"), body("Toko A", "second"))
    assert result.action == "updated" and len(fake.comments_on(REPO, 7)) == 371


def test_read_only_token_names_the_missing_permission(fake, gh):
    fake.tokens[TOKEN].write = False
    with pytest.raises(GitHubError) as info:
        post_sticky(gh, REPO, 7, sticky("Toko A"), body("Toko A", "x"))
    message = str(info.value)
    assert "`pull-requests: write`" in message and "HTTP 403" in message and "acme/catalog#7" in message
    assert "forks" in message and TOKEN not in message


def test_unknown_repository_or_pull_request_is_404_with_a_clear_message(fake, gh):
    for repo, number in (("acme/nope", 7), (REPO, 99)):
        with pytest.raises(GitHubError) as info:
            gh.list_comments(repo, number)
        assert "cannot find" in str(info.value) and f"{repo}#{number}" in str(info.value)
        assert "HTTP 404" in str(info.value)


def test_a_token_without_access_to_the_repository_sees_404(fake, gh):
    fake.tokens[TOKEN].repos = {"acme/other"}
    with pytest.raises(GitHubError, match="cannot see it"):
        gh.list_comments(REPO, 7)


def test_bad_token_is_401(fake):
    with serving(fake) as base_url, GitHubClient("wrong-token", base_url=base_url) as client:
        with pytest.raises(GitHubError, match="GITHUB_TOKEN is missing, expired or revoked") as info:
            client.list_comments(REPO, 7)
    assert "wrong-token" not in str(info.value)


def test_422_says_what_github_did_not_accept(fake, gh):
    with pytest.raises(GitHubError) as info:
        gh.create_comment(REPO, 7, "x" * 70_000)
    assert "HTTP 422" in str(info.value) and "body is too long (maximum is 65536 characters)" in str(info.value)


def test_editing_someone_elses_comment_is_refused(fake, gh):
    theirs = fake.seed_comment(REPO, 7, "mine", "someone")
    with pytest.raises(GitHubError, match="HTTP 403"):
        gh.update_comment(REPO, theirs["id"], "changed")
    assert fake.comments_on(REPO, 7)[0]["body"] == "mine"


def test_server_errors_are_retried_with_backoff_then_succeed(fake, gh):
    fake.fail_next(2, 502, method="GET")
    assert gh.list_comments(REPO, 7) == []
    assert gh.sleeps == [1.0, 2.0]


def test_server_errors_give_up_after_bounded_retries(fake, gh):
    fake.fail_next(10, 503)
    with pytest.raises(GitHubError, match=r"HTTP 503.*after 5 attempt"):
        gh.list_comments(REPO, 7)
    assert len(gh.sleeps) == 4


def test_secondary_rate_limit_waits_retry_after(fake, gh):
    fake.fail_next(1, 403, {"Retry-After": "7"}, "You have exceeded a secondary rate limit", method="POST")
    created = gh.create_comment(REPO, 7, "hello")
    assert created.body == "hello" and gh.sleeps == [7.0] and len(fake.comments_on(REPO, 7)) == 1


def test_a_rate_limit_too_long_to_wait_for_is_an_error(fake, gh):
    fake.fail_next(1, 429, {"Retry-After": "3600"}, "API rate limit exceeded")
    with pytest.raises(GitHubError, match="rate limit"):
        gh.list_comments(REPO, 7)
    assert gh.sleeps == []


def test_a_failed_post_is_never_retried_blindly(fake, gh):
    """GitHub may have created the comment before failing: look again, never post twice."""
    fake.fail_next(1, 502, method="POST")
    result = post_sticky(gh, REPO, 7, sticky("Toko A"), body("Toko A", "x"))
    assert result.action == "created" and len(fake.comments_on(REPO, 7)) == 1


def test_uncertain_post_that_did_happen_is_found_and_updated(fake, gh, monkeypatch):
    from engine.github import client as client_module

    real = GitHubClient.create_comment

    def create_then_fail(self, repo, number, text):
        real(self, repo, number, text)
        monkeypatch.setattr(GitHubClient, "create_comment", real)
        raise client_module.UncertainWriteError("connection dropped")

    monkeypatch.setattr(GitHubClient, "create_comment", create_then_fail)
    result = post_sticky(gh, REPO, 7, sticky("Toko A"), body("Toko A", "x"))
    assert result.action == "unchanged" and len(fake.comments_on(REPO, 7)) == 1


def test_next_page_on_another_host_is_not_followed(fake):
    import httpx

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=[], headers={"Link": '<https://evil.example/x?page=2>; rel="next"'})

    with GitHubClient(TOKEN, base_url="https://api.github.example", transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(GitHubError, match="another host"):
            client.list_comments(REPO, 7)


def test_the_merged_pull_request_of_a_commit(fake, gh):
    fake.repos[REPO].commit_pulls["abc1234"] = [{"number": 5, "merged_at": None},
                                                {"number": 8, "merged_at": "2025-01-01"}]
    assert find_pull_request(gh, REPO, "abc1234") == 8
    assert find_pull_request(gh, REPO, "fff9999") is None


def test_the_oldest_marked_comment_wins_and_markers_parse():
    plan, apply = sticky("Toko A", "toko-a"), sticky("Toko A", "toko-a", "apply")
    a = IssueComment(5, plan.marker("d", "s") + "\nold")
    b = IssueComment(9, plan.marker("d2", "s2") + "\nnew")
    c = IssueComment(3, apply.marker("d", "s") + "\nreport")
    assert find_sticky([b, c, a], plan) is a
    assert find_sticky([b, c, a], apply) is c
    assert parse_marker(a.body) == {"kind": "plan", "id": "toko-a", "shop": "Toko%20A", "digest": "d", "sha": "s"}
    assert parse_marker(legacy_marker("plan", "Toko A")) == {"kind": "plan", "id": None, "shop": "Toko%20A",
                                                             "digest": "d", "sha": "s"}
    assert "-->" not in sticky("evil --> <script>", "x").marker("d", "s")[4:-3]


def test_two_shop_folders_with_the_same_name_keep_one_comment_each(fake, gh):
    for round_ in ("one", "two"):
        post_sticky(gh, REPO, 7, sticky("Toko", "toko-a"), body("Toko", f"a {round_}", shop_id="toko-a"))
        post_sticky(gh, REPO, 7, sticky("Toko", "agency-toko"), body("Toko", f"b {round_}", shop_id="agency-toko"))
    bodies = sorted(c["body"].rsplit("\n", 1)[1] for c in fake.comments_on(REPO, 7))
    assert bodies == ["a two", "b two"]


def test_a_comment_with_the_old_marker_is_updated_not_duplicated(fake, gh):
    """Comments posted before the marker carried the id: the first folder of that name takes the
    comment over (its marker becomes the id form); a second folder of the same name posts its own."""
    old = fake.seed_comment(REPO, 7, legacy_marker("plan", "Toko") + "\nold plan", "github-actions[bot]", "Bot")
    other = fake.seed_comment(REPO, 7, legacy_marker("apply", "Toko") + "\nreport", "github-actions[bot]", "Bot")
    first = post_sticky(gh, REPO, 7, sticky("Toko", "toko-a"), body("Toko", "new plan", shop_id="toko-a"))
    assert first.action == "updated" and first.comment.id == old["id"]
    assert parse_marker(fake.comments_on(REPO, 7)[0]["body"])["id"] == "toko-a"
    second = post_sticky(gh, REPO, 7, sticky("Toko", "agency-toko"), body("Toko", "b", shop_id="agency-toko"))
    assert second.action == "created"
    again = post_sticky(gh, REPO, 7, sticky("Toko", "toko-a"), body("Toko", "newer", shop_id="toko-a"))
    assert again.comment.id == old["id"]
    assert [c["id"] for c in fake.comments_on(REPO, 7)][:2] == [old["id"], other["id"]]
    assert fake.comments_on(REPO, 7)[1]["body"].endswith("report")  # another kind: left alone


def test_requests_carry_the_token_only_in_the_authorization_header(fake, gh):
    post_sticky(gh, REPO, 7, sticky("Toko A"), body("Toko A", "x"))
    assert fake.log and TOKEN not in repr(fake.log)
    assert all(r["headers"].get("x-github-api-version") == "2022-11-28" for r in fake.log)
