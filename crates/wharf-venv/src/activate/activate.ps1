# Use this virtual environment in PowerShell: `. __BIN__/Activate.ps1`.
# `deactivate` puts the shell back the way it was. Written by wharf.

function global:deactivate([switch] $NonDestructive) {
    if ($null -ne $global:_WharfSavedPath) {
        $env:PATH = $global:_WharfSavedPath
        Remove-Variable -Name _WharfSavedPath -Scope Global
    }
    if ($null -ne $global:_WharfSavedPythonHome) {
        $env:PYTHONHOME = $global:_WharfSavedPythonHome
        Remove-Variable -Name _WharfSavedPythonHome -Scope Global
    }
    if (Test-Path -Path function:_WharfSavedPrompt) {
        Copy-Item -Path function:_WharfSavedPrompt -Destination function:prompt
        Remove-Item -Path function:_WharfSavedPrompt
    }
    if (Test-Path -Path env:VIRTUAL_ENV) {
        Remove-Item -Path env:VIRTUAL_ENV
    }
    if (Test-Path -Path env:VIRTUAL_ENV_PROMPT) {
        Remove-Item -Path env:VIRTUAL_ENV_PROMPT
    }
    if (-not $NonDestructive) {
        Remove-Item -Path function:deactivate
    }
}

# Leave any environment that is active, keeping the function defined.
deactivate -NonDestructive

$env:VIRTUAL_ENV = __VIRTUAL_ENV__
$global:_WharfSavedPath = $env:PATH
$env:PATH = (Join-Path $env:VIRTUAL_ENV '__BIN__') + [System.IO.Path]::PathSeparator + $env:PATH
$env:VIRTUAL_ENV_PROMPT = __PROMPT__

if (Test-Path -Path env:PYTHONHOME) {
    $global:_WharfSavedPythonHome = $env:PYTHONHOME
    Remove-Item -Path env:PYTHONHOME
}

if (-not $env:VIRTUAL_ENV_DISABLE_PROMPT) {
    # Defined globally first so that the copy below lands in the global scope even when
    # this script is run rather than dot-sourced.
    function global:_WharfSavedPrompt { "" }
    Copy-Item -Path function:prompt -Destination function:_WharfSavedPrompt
    function global:prompt {
        Write-Host -NoNewline "($env:VIRTUAL_ENV_PROMPT) "
        _WharfSavedPrompt
    }
}
