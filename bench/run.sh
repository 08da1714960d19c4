#!/usr/bin/env bash
# Benchmark wharf against its anchors (pip, uv, virtualenv, `python -m venv`) side by side:
# one hyperfine invocation per job and requirement set, so that every tool is measured in
# the same minutes on this (shared, drifting) machine. Results go to bench/results/ as
# hyperfine markdown and JSON; `bench/summarize.py` turns them into the tables of
# docs/benchmarks.md.
#
# Usage: bench/run.sh [JOB...]
#   JOB is any of: venv resolve install-warm install-cold noop rss build index bundle
#   (default: all).
#   WHARF_BENCH_NO_BUILD=1 uses target/release/wharf as it is instead of building it.
#
# Requirement sets (bench/requirements/*.in): small = requests, medium = flask django
# boto3, large = pandas matplotlib scikit-learn fastapi, jupyter = jupyter (resolve only).
# Every tool uses the default index (PyPI), the same base interpreter and its own cache
# under bench/.cache; nothing from the user's pip/uv/wharf configuration is read.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
RESULTS=$BENCH_DIR/results
REQUIREMENTS=$BENCH_DIR/requirements
# Caches and the environments under test share one directory, so one file system: every
# tool can link from its cache (uv hardlinks, wharf reflinks or hardlinks).
SCRATCH=$BENCH_DIR/.cache
WORK=$SCRATCH/work
ANCHORS=$BENCH_DIR/.venv

ALL_JOBS=(venv resolve install-warm install-cold noop rss build index bundle)
JOBS=("$@")
if [ ${#JOBS[@]} -eq 0 ]; then
    JOBS=("${ALL_JOBS[@]}")
fi
for job in "${JOBS[@]}"; do
    case " ${ALL_JOBS[*]} " in
        *" $job "*) ;;
        *) echo "unknown job \`$job\` (known: ${ALL_JOBS[*]})" >&2; exit 2 ;;
    esac
done

log() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }

# --- Tools -----------------------------------------------------------------------------

if ! command -v hyperfine >/dev/null; then
    log "installing hyperfine"
    apt-get install -y hyperfine || { apt-get update && apt-get install -y hyperfine; }
fi
if [ ! -x /usr/bin/time ]; then
    log "installing time"
    apt-get install -y time || { apt-get update && apt-get install -y time; }
fi

PYTHON=$(python3 -c 'import sys; print(sys.executable)')

# No configuration from this machine or user: same index (PyPI), same flags for all.
unset PIP_FIND_LINKS PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_NO_INDEX PIP_REQUIRE_VIRTUALENV \
    UV_INDEX_URL UV_EXTRA_INDEX_URL UV_INDEX UV_DEFAULT_INDEX UV_FIND_LINKS UV_LINK_MODE \
    WHARF_INDEX_URL WHARF_EXTRA_INDEX_URL WHARF_FIND_LINKS WHARF_LINK_MODE WHARF_LOG \
    VIRTUAL_ENV CONDA_PREFIX
export PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore \
    PIP_NO_INPUT=1 UV_NO_CONFIG=1 UV_PYTHON_DOWNLOADS=never WHARF_NO_CONFIG=1
export WHARF_CACHE_DIR=$SCRATCH/wharf UV_CACHE_DIR=$SCRATCH/uv PIP_CACHE_DIR=$SCRATCH/pip

if [ ! -x "$ANCHORS/bin/uv" ] || [ ! -x "$ANCHORS/bin/virtualenv" ] || [ ! -x "$ANCHORS/bin/pyproject-build" ]; then
    log "creating $ANCHORS with the anchors from PyPI"
    rm -rf "$ANCHORS"
    "$PYTHON" -m venv "$ANCHORS"
    "$ANCHORS/bin/python" -m pip install -q --upgrade pip uv virtualenv build
fi
# pex and shiv, the anchors of the bundle job, pinned: their output formats and flags
# change between releases.
PEX_VERSION=2.105.2
SHIV_VERSION=1.0.8
if [ "$("$ANCHORS/bin/pex" --version 2>/dev/null)" != "$PEX_VERSION" ] ||
    [ "$("$ANCHORS/bin/shiv" --version 2>/dev/null)" != "shiv, version $SHIV_VERSION" ]; then
    log "installing pex $PEX_VERSION and shiv $SHIV_VERSION into $ANCHORS"
    "$ANCHORS/bin/python" -m pip install -q "pex==$PEX_VERSION" "shiv==$SHIV_VERSION"
fi
UV=$ANCHORS/bin/uv
VIRTUALENV=$ANCHORS/bin/virtualenv

WHARF=$ROOT/target/release/wharf
if [ "${WHARF_BENCH_NO_BUILD:-}" != 1 ]; then
    log "building wharf (release)"
    (cd "$ROOT" && cargo build --release -p wharf)
fi

mkdir -p "$RESULTS" "$WORK"

# A venv with the latest pip in it; pip is measured running inside the target
# environment (`venv/bin/python -m pip`), as users run it. The `--prepare` of pip jobs
# copies this template instead of seeding pip again.
PIP_TEMPLATE=$WORK/pip-template
if [ ! -x "$PIP_TEMPLATE/bin/python" ]; then
    "$PYTHON" -m venv "$PIP_TEMPLATE"
    "$PIP_TEMPLATE/bin/python" -m pip install -q --upgrade pip
fi

# The machine and versions of this run; a run of some jobs only gets its own file, so
# that the description of the last full run stays.
MACHINE=$RESULTS/machine.txt
if [ "${JOBS[*]}" != "${ALL_JOBS[*]}" ]; then
    MACHINE=$RESULTS/machine-$(IFS=-; echo "${JOBS[*]}").txt
fi
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "nproc: $(nproc)"
    echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
    echo "cpu: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
    echo "kernel: $(uname -r)"
    echo "wharf: $(cd "$ROOT" && git rev-parse --short HEAD)$(cd "$ROOT" && git diff --quiet HEAD -- crates Cargo.lock || echo '+dirty') ($("$WHARF" --version))"
    echo "pip: $("$PIP_TEMPLATE/bin/python" -m pip --version | cut -d' ' -f2)"
    echo "uv: $("$UV" --version | cut -d' ' -f2)"
    echo "virtualenv: $("$VIRTUALENV" --version | head -1 | cut -d' ' -f2)"
    echo "build: $("$ANCHORS/bin/python" -m build --version | cut -d' ' -f2)"
    echo "pex: $("$ANCHORS/bin/pex" --version)"
    echo "shiv: $("$ANCHORS/bin/shiv" --version | cut -d' ' -f3)"
    echo "python: $("$PYTHON" -c 'import platform; print(platform.python_version())') ($PYTHON)"
    echo "hyperfine: $(hyperfine --version | cut -d' ' -f2)"
} | tee "$MACHINE"

# Fresh environments for each tool to install into.
fresh_wharf() { echo "rm -rf $1 && $WHARF venv -q --python $PYTHON $1"; }
fresh_uv() { echo "rm -rf $1 && $UV venv -q --python $PYTHON $1"; }
fresh_pip() { echo "rm -rf $1 && cp -a $PIP_TEMPLATE $1"; }

install_wharf() { echo "$WHARF install -q --venv $1 -r $REQUIREMENTS/$2.in"; }
install_uv() { echo "$UV pip install -q --python $1/bin/python -r $REQUIREMENTS/$2.in"; }
install_pip() { echo "$1/bin/python -m pip install -q --no-compile -r $REQUIREMENTS/$2.in"; }

# bench NAME [hyperfine args...]
bench() {
    local name=$1
    shift
    log "$name"
    hyperfine --style basic \
        --export-markdown "$RESULTS/$name.md" --export-json "$RESULTS/$name.json" "$@"
}

# --- Jobs ------------------------------------------------------------------------------

job_venv() {
    local dir=$WORK/venv
    bench venv --warmup 3 --runs 20 \
        --prepare "rm -rf $dir-wharf" -n "wharf venv" "$WHARF venv -q --python $PYTHON $dir-wharf" \
        --prepare "rm -rf $dir-uv" -n "uv venv" "$UV venv -q --python $PYTHON $dir-uv" \
        --prepare "rm -rf $dir-venv" -n "python -m venv --without-pip" "$PYTHON -m venv --without-pip $dir-venv" \
        --prepare "rm -rf $dir-virtualenv" -n "virtualenv --no-seed" "$VIRTUALENV -q --no-seed -p $PYTHON $dir-virtualenv"
}

job_resolve() {
    # Each tool resolves for the same interpreter with nothing relevant installed; the
    # first (warm-up) run fills its cache.
    local wharf_env=$WORK/resolve-wharf pip_env=$WORK/resolve-pip
    eval "$(fresh_wharf "$wharf_env")"
    eval "$(fresh_pip "$pip_env")"
    for set in large jupyter; do
        local input=$REQUIREMENTS/$set.in
        bench "resolve-$set" --warmup 1 --runs 5 \
            -n "wharf compile" "$WHARF compile -q --python $PYTHON $input" \
            -n "wharf install --dry-run --report -" "$WHARF install -q --dry-run --report - --venv $wharf_env -r $input" \
            -n "uv pip compile" "$UV pip compile -q --python $PYTHON $input" \
            -n "pip install --dry-run --report -" "$pip_env/bin/python -m pip install -q --dry-run --report - -r $input"
    done
}

job_install_warm() {
    # The warm-up run fills each tool's cache; every timed run installs into a venv the
    # `--prepare` has just recreated.
    local set runs
    for set in small medium large; do
        case $set in small) runs=10 ;; *) runs=5 ;; esac
        local dir=$WORK/install-warm-$set
        bench "install-warm-$set" --warmup 1 --runs $runs \
            --prepare "$(fresh_wharf "$dir-wharf")" -n "wharf install" "$(install_wharf "$dir-wharf" $set)" \
            --prepare "$(fresh_uv "$dir-uv")" -n "uv pip install" "$(install_uv "$dir-uv" $set)" \
            --prepare "$(fresh_pip "$dir-pip")" -n "pip install --no-compile" "$(install_pip "$dir-pip" $set)"
    done
}

job_install_cold() {
    # Cold: `--prepare` empties the tool's own cache as well as the venv, so every run
    # downloads every wheel. Separate cache dirs keep the warm caches of other jobs.
    local set=large dir=$WORK/install-cold
    local cold=$SCRATCH/cold
    bench "install-cold-$set" --runs 3 \
        --prepare "rm -rf $cold/wharf && $(fresh_wharf "$dir-wharf")" -n "wharf install" \
        "WHARF_CACHE_DIR=$cold/wharf $(install_wharf "$dir-wharf" $set)" \
        --prepare "rm -rf $cold/uv && $(fresh_uv "$dir-uv")" -n "uv pip install" \
        "UV_CACHE_DIR=$cold/uv $(install_uv "$dir-uv" $set)" \
        --prepare "rm -rf $cold/pip && $(fresh_pip "$dir-pip")" -n "pip install --no-compile" \
        "PIP_CACHE_DIR=$cold/pip $(install_pip "$dir-pip" $set)"
    rm -rf "$cold"
}

job_noop() {
    # Everything is already installed: the tool must notice and change nothing.
    local set
    for set in small large; do
        local dir=$WORK/noop-$set
        for tool in wharf uv pip; do
            eval "$(fresh_$tool "$dir-$tool")"
            eval "$(install_$tool "$dir-$tool" $set)"
        done
        bench "noop-$set" --warmup 1 --runs 10 \
            -n "wharf install" "$(install_wharf "$dir-wharf" $set)" \
            -n "uv pip install" "$(install_uv "$dir-uv" $set)" \
            -n "pip install --no-compile" "$(install_pip "$dir-pip" $set)"
    done
}

job_rss() {
    # Peak resident memory (GNU time's "Maximum resident set size") on the large set:
    # warm install into a fresh venv, and warm resolution. Three runs each; the table
    # lists every run.
    local set=large dir=$WORK/rss out=$RESULTS/rss.md
    log "peak RSS ($set)"
    {
        echo "| tool | operation | max RSS (KiB), 3 runs |"
        echo "|---|---|---|"
    } >"$out"
    measure() {
        local label=$1 operation=$2 prepare=$3 command=$4 values=()
        eval "$prepare"
        eval "$command" >/dev/null # warm the cache
        for _ in 1 2 3; do
            eval "$prepare"
            /usr/bin/time -v -o "$WORK/time.txt" sh -c "$command" >/dev/null
            values+=("$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")")
        done
        echo "| $label | $operation | ${values[*]} |" | tee -a "$out"
    }
    measure wharf "install (warm)" "$(fresh_wharf "$dir-wharf")" "$(install_wharf "$dir-wharf" $set)"
    measure uv "install (warm)" "$(fresh_uv "$dir-uv")" "$(install_uv "$dir-uv" $set)"
    measure pip "install (warm)" "$(fresh_pip "$dir-pip")" "$(install_pip "$dir-pip" $set)"
    measure wharf "compile (warm)" true "$WHARF compile -q --python $PYTHON $REQUIREMENTS/$set.in"
    measure uv "pip compile (warm)" true "$UV pip compile -q --python $PYTHON $REQUIREMENTS/$set.in"
}

job_build() {
    # Building a wheel from a real sdist, one per backend family. Warm: the first run
    # fills every tool's caches (wharf keeps the build environment; uv and pip keep the
    # wheels of the build requirements; python -m build makes a fresh environment with pip
    # each time, as it always does). Each run writes into an emptied output directory.
    local sdists=$WORK/sdists out=$WORK/build-out
    mkdir -p "$sdists"
    local specs=(idna==3.10 attrs==25.3.0 tomlkit==0.13.2 docopt==0.6.2 markupsafe==3.0.2)
    for spec in "${specs[@]}"; do
        if ! ls "$sdists/${spec%%==*}"-* >/dev/null 2>&1 && ! ls "$sdists/$(echo "${spec%%==*}" | tr - _)"-* >/dev/null 2>&1; then
            "$PIP_TEMPLATE/bin/python" -m pip download -q --no-deps --no-binary :all: "$spec" -d "$sdists"
        fi
    done
    for sdist in "$sdists"/*; do
        local name
        name=$(basename "$sdist" | sed -E 's/-[0-9].*//' | tr '[:upper:]' '[:lower:]')
        bench "build-$name" --warmup 1 --runs 5 \
            --prepare "rm -rf $out-wharf" -n "wharf build" "$WHARF build -q $sdist -o $out-wharf" \
            --prepare "rm -rf $out-uv" -n "uv build --wheel" "$UV build -q --wheel --python $PYTHON $sdist -o $out-uv" \
            --prepare "rm -rf $out-build" -n "python -m build --wheel" "$ANCHORS/bin/python -m build -q --wheel --outdir $out-build $sdist" \
            --prepare "rm -rf $out-pip" -n "pip wheel --no-deps" "$PIP_TEMPLATE/bin/python -m pip wheel -q --no-deps -w $out-pip $sdist"
    done
}

job_index() {
    # `wharf index` over 10,000 wheels (1,000 projects x 10 versions, real zip files with
    # METADATA/WHEEL/RECORD): first run (everything hashed and written) and an unchanged
    # re-run (nothing to do).
    local dir=$WORK/index-10k out=$WORK/index-10k-out
    if [ ! -f "$dir/.complete" ]; then
        rm -rf "$dir" && mkdir -p "$dir"
        "$PYTHON" "$BENCH_DIR/make_wheels.py" "$dir" 1000 10
        touch "$dir/.complete"
    fi
    bench index-10k-first --warmup 1 --runs 5 \
        --prepare "rm -rf $out" -n "wharf index (first run)" "$WHARF index -q $dir -o $out"
    "$WHARF" index -q "$dir" -o "$out"
    bench index-10k-unchanged --warmup 1 --runs 10 \
        -n "wharf index (unchanged)" "$WHARF index -q $dir -o $out"
}

# Apps of the bundle job: requirement, console script, and the module that script's
# entry point imports to do its work (the baseline is `python -c "import MODULE"` in a venv
# with the app installed: for httpie that is httpie.core, since `import httpie` alone
# loads nothing). black's wheels are mypyc-compiled and pyyaml (yamllint) has a C
# extension, so extension modules are covered.
BUNDLE_APPS=("black black black" "httpie http httpie.core" "yamllint yamllint yamllint.cli")

job_bundle() {
    # wharf bundle vs pex vs shiv on the same apps, each a zipapp with the console script
    # as its entry point and the base interpreter as its shebang:
    #   bundle-build-APP  build time, warm caches (1 warm-up fills them; pex keeps its
    #                     --pex-root under bench/.cache, shiv's pip its PIP_CACHE_DIR)
    #   bundle-warm-APP   `./app --version` once extracted, beside the same app in a venv
    #   bundle-first-APP  `./app --version` with the tool's extraction root emptied first
    #                     (WHARF_ROOT, PEX_ROOT, SHIV_ROOT)
    #   bundle-size.md    the size of each file
    # The wharf rows are left out while `wharf bundle` does not exist.
    local dir=$WORK/bundle runtime=$WORK/bundle-runtime
    local pex_cache=$SCRATCH/pex shiv_cache=$SCRATCH/shiv-pip
    local sizes=$RESULTS/bundle-size.md
    # `#!/usr/bin/env python3.11` must find the interpreter itself, not a pyenv shim
    # (~50 ms of bash per start here); pex and shiv get it as an absolute shebang.
    local -x PATH="${PYTHON%/*}:$PATH"
    # Every tool (and the baseline venv, whose installer compiles) may write bytecode.
    unset PYTHONDONTWRITEBYTECODE
    mkdir -p "$dir"

    local have_wharf=0 wharf_flags=(--python-shebang "$PYTHON")
    if "$WHARF" bundle --help >/dev/null 2>&1; then
        have_wharf=1
    else
        log "\`$WHARF bundle\` does not exist yet: measuring pex and shiv only"
    fi

    {
        echo "| app | tool | file | size (bytes) | size / shiv | shebang |"
        echo "|---|---|---|---|---|---|"
    } >"$sizes"

    local app req script module
    for app in "${BUNDLE_APPS[@]}"; do
        read -r req script module <<<"$app"
        local out=$dir/$script venv=$dir/$script-venv
        local -A build=(
            [wharf]="$WHARF bundle -q $req -c $script -o $out.pyz --python $PYTHON ${wharf_flags[*]}"
            [pex]="$ANCHORS/bin/pex $req -c $script -o $out.pex --pex-root $pex_cache --python-shebang $PYTHON"
            [shiv]="PIP_CACHE_DIR=$shiv_cache $ANCHORS/bin/shiv -c $script -o $out.shiv -p $PYTHON $req"
        )
        local -A run=(
            [wharf]="WHARF_ROOT=$runtime/wharf $out.pyz --version"
            [pex]="PEX_ROOT=$runtime/pex $out.pex --version"
            [shiv]="SHIV_ROOT=$runtime/shiv $out.shiv --version"
        )
        local -A file=([wharf]=$out.pyz [pex]=$out.pex [shiv]=$out.shiv)
        local tools=(pex shiv)
        if [ $have_wharf = 1 ]; then
            tools=(wharf pex shiv)
        fi

        local args=() tool
        for tool in "${tools[@]}"; do
            args+=(--prepare "rm -f ${file[$tool]}" -n "$tool ($script)" "${build[$tool]}")
        done
        bench "bundle-build-$script" --warmup 1 --runs 5 "${args[@]}"

        # The baseline: the same app installed into a venv of the same interpreter.
        rm -rf "$venv"
        cp -a "$PIP_TEMPLATE" "$venv"
        "$venv/bin/python" -m pip install -q "$req"

        # A bundle runs on the base interpreter, which reads the base site-packages' .pth
        # files at start (a venv does not): the fair baseline is that same interpreter with
        # the app importable.
        local site
        site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
        args=(
            -n "python -c 'import $module' (same interpreter)" "PYTHONPATH=$site $PYTHON -c 'import $module'"
            -n "python -c 'import $module' (venv)" "$venv/bin/python -c 'import $module'"
            -n "$script --version (venv)" "$venv/bin/$script --version"
        )
        for tool in "${tools[@]}"; do
            args+=(-n "$tool (./$(basename "${file[$tool]}") --version)" "${run[$tool]}")
        done
        # The same runs on a clean interpreter (an empty venv's python: no .pth files from
        # the base site-packages), comparable with the venv baselines.
        [ -x "$dir/clean/bin/python" ] || "$PYTHON" -m venv --without-pip "$dir/clean"
        for tool in "${tools[@]}"; do
            local rest=${run[$tool]#* }
            local root_value=${run[$tool]%% *}
            args+=(-n "$tool (clean python $(basename "${file[$tool]}") --version)" "$root_value $dir/clean/bin/python $rest")
        done
        bench "bundle-warm-$script" --warmup 2 --runs 10 "${args[@]}"

        args=()
        for tool in "${tools[@]}"; do
            args+=(--prepare "rm -rf $runtime/$tool" -n "$tool (./$(basename "${file[$tool]}") --version, first run)" "${run[$tool]}")
        done
        bench "bundle-first-$script" --warmup 1 --runs 5 "${args[@]}"

        local shiv_size
        shiv_size=$(stat -c %s "${file[shiv]}")
        for tool in "${tools[@]}"; do
            local size
            size=$(stat -c %s "${file[$tool]}")
            echo "| $script | $tool | $(basename "${file[$tool]}") | $size | $(awk "BEGIN {printf \"%.2f\", $size / $shiv_size}") | \`$(head -n1 "${file[$tool]}" | cut -c3-)\` |" | tee -a "$sizes"
        done
    done
}

for job in "${JOBS[@]}"; do
    "job_${job//-/_}"
done

log "results in $RESULTS"
if [ -f "$BENCH_DIR/summarize.py" ]; then
    "$PYTHON" "$BENCH_DIR/summarize.py" "$RESULTS" | tee "$RESULTS/summary.md"
fi
