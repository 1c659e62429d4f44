"""名单 — the list-status service (spec X-02): is this subject on list L on day d? One place every module asks."""
