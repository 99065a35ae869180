"""GitOps on GitHub: sticky pull-request comments, job summaries, workflow commands, shop discovery.

    settings   GitHubSettings: GITHUB_TOKEN, GITHUB_API_URL, GITHUB_ACTIONS, GITHUB_STEP_SUMMARY,
               GITHUB_WORKSPACE — read once by the CLI (pydantic-settings) and passed in
    client     GitHubClient: a small REST client on httpx (issue comments with Link pagination,
               commits/{sha}/pulls); 401/403/404/422 → GitHubError naming what is missing;
               5xx and rate limits retried with bounded backoff
    comments   one sticky comment per shop, found again by a hidden marker; plan / apply report /
               fork notice bodies within GitHub's 65,536 characters; the job summary (1 MiB)
    workflow   `::error file=…::` annotations and `::add-mask::`, escaped per the workflow-command rules
    shops      the shop directories under a root, all or those a git range touched (job matrix)

Nothing here reads os.environ; no message, body or log line ever contains the token.
"""
