package dev.kiln.runtime.training;

/** Whether a monitored value improves by falling or by rising. */
public enum MonitorMode {
  /** {@link #MAX} for names containing "accuracy", {@link #MIN} otherwise (Keras's "auto"). */
  AUTO,
  MIN,
  MAX;

  /** {@link #MIN} or {@link #MAX}: what AUTO means for {@code monitor}. */
  MonitorMode resolve(String monitor) {
    if (this != AUTO) {
      return this;
    }
    return monitor.contains("accuracy") ? MAX : MIN;
  }
}
