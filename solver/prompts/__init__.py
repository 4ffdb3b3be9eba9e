"""Prompts: turn a Problem into chat prompts asking for a program.

- `templates`: the language templates, the grader-kind instructions and the pure
  `format_messages`.
- `material`: what the package adds (sample tests, grader headers, subtasks), read
  from disk.
- `build`: `build_prompts`, the two put together.
"""
