"""Downstream sync (44号 Task 14 及时共享、及时更新): the outbox, registered receivers, signed delivery, /changes.

How a receiver never misses a change — the numbering (seq):

- Every `Shared` event's changes are written to `outbox_events` by the handler `record_changes` inside the
  publishing unit of work (executemany; seq NULL), so a change exists if and only if its write committed.
- The rows are numbered at commit, by one sequencer: a `before_commit` hook of the session
  (repository.assign_seqs) takes a transaction-scoped lock (PostgreSQL `pg_advisory_xact_lock`; on SQLite the
  writing transaction already holds the only write lock), reads max(seq) and numbers its own rows after it, in
  insertion order, as the last statements of the transaction. The lock is held until the commit has completed,
  so transactions receive their seqs in commit order: when seq n is visible, every seq < n is visible too.
  The auto-increment primary key alone would not do: on PostgreSQL id 11 may commit before id 10, and a reader
  that has passed 11 would never see 10.
- Taking the lock only at commit (not when the row is written) keeps it for milliseconds and, being the last
  lock a transaction takes, it cannot deadlock with the per-subject locks taken while handling.
- A bulk sharer (an event of service.NUMBER_AT_INSERT changes or more: a chunk of a batch re-evaluation) takes
  the sequencer when it writes them instead, numbers what it wrote before, and inserts these already numbered
  (COPY; repository.insert_numbered_events): updating 10^5–10^6 rows again at commit took over a minute. The
  outbox handler runs last in the handler table, after every other reaction has taken its locks, so holding the
  sequencer from there to the commit still waits for nobody who waits for it.
- Consequences: seqs are gap-free and strictly increasing, a reader of `seq > after` (GET /changes, each
  receiver's position) never skips one, and a rolled-back unit of work leaves no change behind.

Delivery (outbox.delivery): each receiver gets one change per POST, strictly in seq order, signed with
HMAC-SHA256 of the body bytes; at least once (a receiver drops a seq it has already seen).
"""
