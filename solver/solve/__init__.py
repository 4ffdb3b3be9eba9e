"""Solving: `problem` takes one problem from sampling to ordered submissions;
`contest` solves every problem of a contest file and simulates the contest."""
