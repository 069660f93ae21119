#!/usr/bin/env bash
# Set up the environment and run the main job: the status-quo scenario against the
# mission-driven one, over 10 seeds, printing the outcome tables and writing a results folder.
source "$(dirname "$0")/bootstrap.sh"
uv run --frozen partnersim compare scenarios/westminster_default.toml scenarios/mission_driven.toml --seeds 10 "$@"
