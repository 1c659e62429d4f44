"""Downstream sync (44号 Task 14 及时共享、及时更新): the outbox, registered receivers, signed delivery, /changes."""
