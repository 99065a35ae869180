"""`catalog apply`: execute a plan against the shop and report per product × platform.

    run        run_apply(catalog, plan, ...) / apply_async: client + Writer + executor;
               verify_saved_plan and the per-product staleness check of `apply plan.json`
    execute    Executor: the dumb interpreter of a Plan (one handler per action kind, phases:
               uploads → content → price/stock → activations → deactivations and deletes)
    check      `plan --check`: Check Product Listing per create / edit (with_checks)
    hints      a hint per error code and platform; shop messages in the seller's words
    progress   rich progress bar on a terminal, periodic log lines otherwise

The result is an engine.plan.report.ApplyReport (rendered by engine.render.report*).
"""
