#!/usr/bin/env bash
# Runs every command of two cochange builds on the same repositories and says which outputs
# differ, byte for byte. For refactorings that must not change what users see.
#
#   tests/compare-builds.sh OLD_BINARY NEW_BINARY OUT_DIR REPO...
#
# Each build gets its own cache folder (the `mine` table names it, so its cache_dir column is
# masked). Outputs land in OUT_DIR/{old,new}/<repo>/<command>.<format>; the summary is printed.
set -u -o pipefail
old=$1 new=$2 out=$3
shift 3
export TZ=UTC LC_ALL=C GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
rm -rf "$out"
mkdir -p "$out"

# name|arguments (run in the repository; `{OUT}` is a folder of the build's own)
commands=(
  "mine|mine --format csv"
  "changes|changes --format csv"
  "summary|summary --format csv"
  "revisions|revisions --format csv"
  "coupling-table|coupling"
  "coupling-csv|coupling --format csv"
  "coupling-json|coupling --format json"
  "coupling-md|coupling --format md"
  "coupling-dot|coupling --format dot"
  "coupling-graphml|coupling --format graphml"
  "coupling-code-maat|coupling --no-renames --columns code-maat --format csv"
  "soc|soc --format csv"
  "authors|authors --format csv"
  "entity-churn|entity-churn --format csv"
  "author-churn|author-churn --format csv"
  "abs-churn|abs-churn --format csv"
  "entity-ownership|entity-ownership --format csv"
  "entity-effort|entity-effort --format csv"
  "main-dev|main-dev --format csv"
  "refactoring-main-dev|refactoring-main-dev --format csv"
  "main-dev-by-revs|main-dev-by-revs --format csv"
  "fragmentation|fragmentation --format csv"
  "communication|communication --format csv"
  "messages|messages --message-pattern (?i)fix --format csv"
  "age|age --format csv"
  "hotspots|hotspots --format json"
  "hotspots-table|hotspots"
  "backlog-md|backlog --months 6 --format md"
  "backlog-json|backlog --months 6 --format json"
  "components|components --format json"
  "components-files|components --show files --format csv"
  "trends|trends --format csv"
  "knowledge|knowledge --format json"
  "report|report --output {OUT}/report"
  "diff|diff {OUT}/report/snapshot.json {OUT}/report/snapshot.json --format json"
)

run_build() {
  local bin=$1 side=$2 repo=$3 name
  name=$(basename "$repo" .git)
  local dir="$out/$side/$name"
  mkdir -p "$dir"
  local cache="$out/$side/cache"
  for entry in "${commands[@]}"; do
    local label=${entry%%|*} args=${entry#*|}
    args=${args//\{OUT\}/$dir}
    # shellcheck disable=SC2086
    (cd "$repo" && "$bin" $args --cache-dir "$cache" --quiet >"$dir/$label.out" 2>"$dir/$label.err")
    echo "exit $?" >>"$dir/$label.err"
    sed -i -E 's#,'"$cache"'[^,]*$#,CACHE#' "$dir/$label.out"
  done
  # The report folder's files, each compared on its own.
  if [ -d "$dir/report" ]; then
    for f in "$dir/report"/*; do cp "$f" "$dir/report-$(basename "$f")"; done
    rm -rf "$dir/report"
  fi
  # Paths into the build's own folder are not a difference.
  find "$dir" -type f -exec sed -i "s#$out/$side#OUT#g" {} +
}

for repo in "$@"; do
  run_build "$old" old "$repo"
  run_build "$new" new "$repo"
done

same=0 differ=0
while IFS= read -r file; do
  rel=${file#"$out/old/"}
  if cmp -s "$file" "$out/new/$rel"; then
    same=$((same + 1))
  else
    differ=$((differ + 1))
    echo "differs: $rel"
  fi
done < <(find "$out/old" -type f ! -path '*/cache/*' | sort)
while IFS= read -r file; do
  rel=${file#"$out/new/"}
  [ -e "$out/old/$rel" ] || { differ=$((differ + 1)); echo "only in new: $rel"; }
done < <(find "$out/new" -type f ! -path '*/cache/*' | sort)
echo "summary: $same outputs identical, $differ differ"
