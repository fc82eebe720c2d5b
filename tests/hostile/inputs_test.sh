#!/usr/bin/env bash
# Hostile but fair inputs to config, sweep, eval, stylize, sample and varstyle-prep: each must be
# refused (or survived) with a message naming the culprit, and leave nothing written or lost.
# One case per class of issue 11 sections 2 and 4; tiny data, no training, well under a minute.
# Usage: [VERBOSE=1] inputs_test.sh BUILD_BIN_DIR   (VERBOSE prints every message)
set -uo pipefail
bin="$(cd "$1" && pwd)"
varstyle="$bin/varstyle" prep="$bin/varstyle-prep"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

failures=0 cases=0
fail() { echo "FAIL [$case]: $*"; failures=$((failures + 1)); }
# run CASE EXPECTED_EXIT COMMAND...: runs it, keeps its output in $out, checks the exit code.
run() {
  case="$1" expected="$2"; shift 2
  cases=$((cases + 1))
  out=$(timeout 60 "$@" 2>&1); local code=$?
  [ -z "${VERBOSE:-}" ] || echo "[$case] exit $code: $out"
  [ "$code" -eq "$expected" ] || fail "exit $code, expected $expected; output: $out"
}
names() { for word in "$@"; do [[ "$out" == *"$word"* ]] || fail "message does not name '$word': $out"; done; }
lacks() { for word in "$@"; do [[ "$out" != *"$word"* ]] || fail "message shows '$word': $out"; done; }
absent() { for path in "$@"; do [ ! -e "$path" ] || fail "$path was written"; done; }

"$prep" synthetic --no-progress --kind content --count 4 --size 32 --output data/content >/dev/null
"$prep" synthetic --no-progress --kind style --count 4 --size 32 --output data/style >/dev/null
# A 64x64 PNG, for inputs that must be decoded.
echo 'iVBORw0KGgoAAAANSUhEUgAAAEAAAABACAIAAAAlC+aJAAAAWUlEQVR42u3PQQ0AIAwEsCmZEoQhERGIQcNI7tekBlpnr6gOKwEBAQEBAQEBAQEBAQEBAQEBAQEBAQGBj8CN6jABAQEBAQEBAQEBAQEBAQEBAQEBAQEBgbEHSZdxWkksh+8AAAAASUVORK5CYII=' |
  base64 -d >good.png

# --- YAML: every error names the file, line and key; yaml-cpp's own text never shows --------
printf 'data:\n  batch_size: 2\n  size: 32\n  batch_size: 900\n' >dup.yaml
run yaml-duplicate-key 2 "$varstyle" config --config dup.yaml --out out-dup
names dup.yaml:4 data.batch_size "line 2" duplicate; absent out-dup
printf 'data:\n  [a, b]: 1\n' >listkey.yaml
run yaml-list-key 2 "$varstyle" config --config listkey.yaml --out out-listkey
names listkey.yaml:2 data.; lacks yaml-cpp "bad conversion"; absent out-listkey
printf 'just a string\n' >scalar.yaml
run yaml-plain-string-config 2 "$varstyle" config --config scalar.yaml --out out-scalar
names scalar.yaml "map of sections"; absent out-scalar
run yaml-override-duplicate 2 "$varstyle" config 'data={size: 32, size: 64}' --out out-override
names "override 'data=" data.size duplicate; absent out-override

# --- Sweeps: refused at load, so --dry-run catches them and nothing is created ---------------
spec() { printf 'config: %s\neval: %s\n%s\n' "$work/c.yaml" "$work/e.yaml" "$1" >"$2"; }
printf 'train:\n  steps: 1\n' >c.yaml; cp c.yaml e.yaml
printf 'a plain string\n' >plain.yaml
run sweep-plain-string 2 "$varstyle" sweep --spec plain.yaml --dry-run
names plain.yaml "expected a map"; lacks "operator[]"
spec 'keys:
  loss.tv: [{a: 1}]' map.yaml
run sweep-map-value 2 "$varstyle" sweep --spec map.yaml --dry-run
names map.yaml:4 "loss.tv[0]" "a map"; lacks yaml-cpp
spec 'keys:
  loss.bogus: [1, 2]' unknown.yaml
run sweep-unknown-config-key 2 "$varstyle" sweep --spec unknown.yaml --dry-run
names unknown.yaml:4 loss.bogus "not a config key"
spec 'mode: random
keys:
  loss.tv: {choice: []}' choice.yaml
run sweep-empty-choice 2 "$varstyle" sweep --spec choice.yaml --dry-run
names choice.yaml loss.tv "at least one value"; lacks nan
grid='keys:'
for key in loss.tv loss.kl loss.mmd loss.range loss.content loss.style_gram loss.style_w2 loss.logvar loss.disentangle loss.style_moments; do
  grid="$grid
  $key: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]"
done
spec "$grid" grid.yaml
run sweep-huge-grid 2 "$varstyle" sweep --spec grid.yaml --dry-run
names grid.yaml "10 x 10 x 10" "limit of 10000"
spec 'name: ../../escape
keys:
  loss.tv: [0, 1]' escape.yaml
run sweep-name-escapes 2 "$varstyle" sweep --spec escape.yaml --local
names escape.yaml:3 "name: '../../escape'"; absent sweeps ../../escape ../escape
spec 'method: "a\"b"
keys:
  loss.tv: [0, 1]' quote.yaml
run sweep-method-quote 2 "$varstyle" sweep --spec quote.yaml --local
names quote.yaml:3 'method: '"'"'a"b'"'"; absent sweeps
spec 'keys:
  loss.tv: [0, 1]
  loss.tv: [2]' dupsweep.yaml
run sweep-duplicate-key 2 "$varstyle" sweep --spec dupsweep.yaml --dry-run
names dupsweep.yaml:5 keys.loss.tv duplicate "line 4"

# --- JSON: a manifest's sizes are bounded before anything is allocated ----------------------
cp -r data/content bigsize
sed -i 's/"size": 32/"size": 100000/' bigsize/manifest.json
run manifest-huge-size 1 "$prep" verify bigsize
names bigsize/manifest.json "'size' is 100000"; lacks bad_alloc
run manifest-huge-size-eval 1 "$varstyle" eval --config c.yaml --out out-bigsize eval.content=bigsize eval.style=data/style
names bigsize/manifest.json "'size' is 100000"; lacks bad_alloc; absent out-bigsize

# --- eval: method names that cannot be folder names are refused at config load --------------
run eval-method-slash 2 "$varstyle" eval --config c.yaml --out out-slash eval.content=data/content eval.style=data/style 'eval.methods=["a/b:runs/x", identity]'
names "override 'eval.methods=" "eval.methods[0]" "'a/b'" "plain name"; absent out-slash

# --- stylize / sample: options and inputs checked before any work --------------------------
mkdir -p ckpt/step-0000002 && touch ckpt/step-0000002/model.h5 ckpt/step-0000002/config.yaml
run stylize-alpha-nan 2 "$varstyle" stylize --checkpoint ckpt/step-0000002 --content good.png --style good.png --alpha nan --out a.png
names --alpha nan; absent a.png
run stylize-mix-nan 2 "$varstyle" stylize --checkpoint ckpt/step-0000002 --content good.png --style good.png --style good.png --mix nan,1 --out m.png
names "--mix nan,1" "not a finite number"; absent m.png
run stylize-mix-malformed 2 "$varstyle" stylize --checkpoint ckpt/step-0000002 --content good.png --style good.png --style good.png --mix 0.5abc,0.5 --out m.png
names "--mix 0.5abc,0.5" "'0.5abc' is not a number"; absent m.png
run stylize-missing-out-folder 2 "$varstyle" stylize --checkpoint ckpt/step-0000002 --content good.png --style good.png --out nowhere/o.png
names "--out nowhere/o.png" "nowhere does not exist"; absent nowhere
run sample-missing-out-folder 2 "$varstyle" sample --checkpoint ckpt/step-0000002 --content good.png --out nowhere/s.png
names "--out nowhere/s.png" "nowhere does not exist"; absent nowhere
echo 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR42mNocFAAAAIkAOGVpLGLAAAAAElFTkSuQmCC' | base64 -d >tiny.png
run stylize-tiny-style 2 "$varstyle" stylize --checkpoint ckpt/step-0000002 --content good.png --style tiny.png --size 0 --out t.png
names "--style tiny.png" "1x1" "at least 16"; lacks "Output size is too small"; absent t.png
run stylize-size-too-small 2 "$varstyle" stylize --checkpoint ckpt/step-0000002 --content good.png --style good.png --size 4 --out t.png
names "--size 4"; absent t.png
# A model.h5 named directly gets the DONE check its folder gets.
run stylize-model-file-without-done 1 "$varstyle" stylize --checkpoint ckpt/step-0000002/model.h5 --content good.png --style good.png --out d.png
names ckpt/step-0000002/model.h5 DONE; absent d.png
run stylize-folder-without-done 1 "$varstyle" stylize --checkpoint ckpt/step-0000002 --content good.png --style good.png --out d.png
names ckpt/step-0000002 DONE; absent d.png

# --- prep: odd names, non-regular files and a shared output never stop or break a run --------
mkdir -p odd/sub
cp good.png odd/good.png
printf 'not a png' >"odd/caf$(printf '\xe9').png"
cp good.png "odd/sub/nai$(printf '\xef')ve.png"
mkfifo odd/trap.png
ln -s /dev/zero odd/zero.png
run prep-odd-files 0 "$prep" images --no-progress --input odd --output prepped --size 32 --min-side 8 --labels subdirs
names "converted 2 images" "not a regular file"
report=$(cat prepped/prep_report.json 2>/dev/null)
for word in 'caf\\xE9.png' 'trap.png' 'zero.png' 'a FIFO' 'a character device'; do
  [[ "$report" == *"$word"* ]] || { case=prep-odd-files; fail "prep_report.json does not list '$word': $report"; }
done
run prep-odd-files-verify 0 "$prep" verify prepped

# A second run on an output folder in use is refused naming the holder; the holder's files stay.
mkdir -p busy && printf 'pid 4242 on testhost since now: varstyle-prep images\n' >busy/.prep.lock
touch busy/shard-00000.h5.tmp-4242-0
flock busy/.prep.lock sleep 20 &
holder=$!
for _ in $(seq 50); do flock -n busy/.prep.lock true 2>/dev/null || break; sleep 0.1; done
run prep-output-locked 2 "$prep" images --no-progress --input odd --output busy --size 32 --min-side 8
names busy "in use by pid 4242 on testhost"
[ -e busy/shard-00000.h5.tmp-4242-0 ] || fail "the holder's temporary file was deleted"
absent busy/manifest.json busy/prep_progress.json
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null

echo "$cases cases, $failures failure(s)"
[ "$failures" -eq 0 ]
