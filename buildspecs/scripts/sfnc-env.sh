# shellcheck shell=bash
# Sourced by every buildspec (and by the scripts beside it): completes the
# environment contract of the compiled pipeline, so that the same commands run
# in CodeBuild and on a developer machine.
#
# In the pipeline the SFNC_* variables are set by the state machine and left
# alone here; outside it they are derived from git, or given neutral values.
# Also exports IMAGE_TAG, the full commit id that the image is tagged with:
# SFNC_COMMIT is the branch name when a run was started without a commit.
# Safe to source more than once. It does not `set -e`: it runs in the build's
# own shell, which must keep going to report a failed command.

sfnc_git() { git -C "${CODEBUILD_SRC_DIR:-.}" "$@" 2>/dev/null; }
sfnc_is_sha() { [[ "${1:-}" =~ ^[0-9a-f]{40}$ ]]; }

# Fails (returns 1) with a message naming every required variable that is empty.
sfnc_require() {
  local name missing=0
  for name in "$@"; do
    if [ -z "${!name:-}" ]; then
      echo "error: $name is not set; the pipeline sets it for stages that need it" >&2
      missing=1
    fi
  done
  return "$missing"
}

export SFNC_PIPELINE="${SFNC_PIPELINE:-local}"
export SFNC_STAGE="${SFNC_STAGE:-local}"
export SFNC_BRANCH="${SFNC_BRANCH:-$(sfnc_git rev-parse --abbrev-ref HEAD || echo unknown)}"
export SFNC_COMMIT="${SFNC_COMMIT:-${CODEBUILD_RESOLVED_SOURCE_VERSION:-$(sfnc_git rev-parse HEAD || echo dev)}}"
export SFNC_REPOSITORY="${SFNC_REPOSITORY:-$(basename "$(sfnc_git rev-parse --show-toplevel || pwd)")}"
export SFNC_PULL_REQUEST="${SFNC_PULL_REQUEST:-}"
export SFNC_EXECUTION_ID="${SFNC_EXECUTION_ID:-local}"
export APP_NAME="${APP_NAME:-flask-webapp}"
export AWS_REGION="${AWS_REGION:-${AWS_DEFAULT_REGION:-}}"

if sfnc_is_sha "$SFNC_COMMIT"; then
  IMAGE_TAG="$SFNC_COMMIT"
elif sfnc_is_sha "${CODEBUILD_RESOLVED_SOURCE_VERSION:-}"; then
  IMAGE_TAG="$CODEBUILD_RESOLVED_SOURCE_VERSION"
elif ! IMAGE_TAG="$(sfnc_git rev-parse HEAD)"; then
  # No git and no commit id: a tag docker accepts, from whatever we were given.
  IMAGE_TAG="$(printf '%s' "$SFNC_COMMIT" | tr -c 'A-Za-z0-9_.-' '-' | cut -c1-128)"
fi
export IMAGE_TAG

# A failure anywhere in a pipe (aws ... | docker login) must fail the command.
set -o pipefail
