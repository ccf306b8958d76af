package io.flagplane.settings;

/** A configuration value that is missing or does not parse; the message names the setting. */
public final class SettingsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SettingsException(String message) {
        super(message);
    }
}
