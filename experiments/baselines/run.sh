#!/usr/bin/env bash
# The baseline comparison (vst, wae, adain, linear trained on the same data with the same budget,
# then evaluated with gatys and identity on one evaluation set) -> experiments/results/baselines.md.
# Usage: experiments/baselines/run.sh [cpu | slurm | report] [SPEC]   (cpu: train and evaluate here on 2 MPI
# ranks; slurm: sbatch the same; report: only write the results of runs and an evaluation that exist)
set -euo pipefail
cd "$(dirname "$0")/../.."
mode="${1:-cpu}"
spec="${2:-experiments/baselines/spec-$([ "$mode" = slurm ] && echo 256 || echo cpu).txt}"
runs=runs/baselines
evals=evals/baselines
results=experiments/results
mkdir -p "$runs" "$results/baselines"

budget=()
eval_config=""
eval_overrides=()
methods=()
declare -A configs overrides
while read -r -a words; do
  [ ${#words[@]} -eq 0 ] || [ "${words[0]:0:1}" = "#" ] && continue
  case "${words[0]}" in
    budget) budget=("${words[@]:1}") ;;
    eval) eval_config="${words[1]}"; eval_overrides=("${words[@]:2}") ;;
    *) methods+=("${words[0]}"); configs[${words[0]}]="${words[1]}"; overrides[${words[0]}]="${words[*]:2}" ;;
  esac
done < "$spec"

method_list=""
jobs=()
for name in "${methods[@]}"; do
  read -r -a extra <<< "${overrides[$name]}"
  method_list+="\"$name:$runs/$name\", "
  if [ "$mode" = slurm ]; then
    jobs+=("$(VARSTYLE_RUN_DIR="$runs/$name" sbatch --parsable --job-name="baseline-$name" slurm/train.sbatch \
      "${configs[$name]}" "${budget[@]}" "${extra[@]}")")
  elif [ "$mode" = cpu ]; then  # report: the runs and the evaluation exist already
    echo "== training $name (${configs[$name]} ${extra[*]} ${budget[*]})"
    rm -rf "${runs:?}/$name"
    launch/train.sh -n 2 "${configs[$name]}" --run-dir "$runs/$name" "${budget[@]}" "${extra[@]}" 2>&1 | grep -E "step [0-9]+/|error" || true
    [ -f "$runs/$name/checkpoints/step-$(printf '%07d' "$(sed -n 's/.*train.steps=\([0-9]*\).*/\1/p' <<< "${budget[*]}")")/DONE" ] ||
      { echo "training $name failed" >&2; exit 1; }
  fi
done
methods_override="eval.methods=[${method_list}gatys, identity]"

if [ "$mode" = slurm ]; then
  dependency="afterok:$(IFS=:; echo "${jobs[*]}")"
  job=$(VARSTYLE_EVAL_DIR="$evals" sbatch --parsable --dependency="$dependency" slurm/eval.sbatch "$eval_config" \
    "${eval_overrides[@]}" "$methods_override")
  echo "submitted training jobs ${jobs[*]} and evaluation job $job; when it ends, run:"
  echo "  experiments/baselines/run.sh report"
  exit 0
fi
if [ "$mode" != report ]; then
  echo "== evaluating"
  rm -rf "$evals"
  build/bin/varstyle eval --config "$eval_config" --out "$evals" "${eval_overrides[@]}" "$methods_override" >/dev/null
fi

cp "$evals/comparison.png" "$evals/sampling.png" "$results/baselines/"
for name in "${methods[@]}" gatys; do cp "$evals/grid-$name.png" "$results/baselines/grid-$name.png"; done
{
  echo "# Baselines: vst, wae, adain and linear against Gatys"
  echo
  echo "Made by \`experiments/baselines/run.sh $mode $spec\` on $(date -u +%F) ($(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores)."
  echo "Every model trained with the same data, batch and steps (\`${budget[*]}\`); evaluated by \`$eval_config\`"
  echo "on the same content x style pairs. The full table per pair is in \`$evals/metrics.csv\`."
  echo
  cat "$evals/summary.md"
  echo
  echo "Methods side by side (content, style, then each method):"
  echo
  echo "![comparison](baselines/comparison.png)"
  echo
  echo "Styles sampled from N(0, I) on one content, for the models with a style code:"
  echo
  echo "![sampling](baselines/sampling.png)"
  echo
  for name in "${methods[@]}" gatys; do echo "- [grid-$name](baselines/grid-$name.png)"; done
} > "$results/baselines.md"
echo "wrote $results/baselines.md"
