package dev.kiln.runtime.training;

/** Whether a monitored value improves by falling or by rising. */
public enum MonitorMode {
  /**
   * {@link #MAX} for names containing "accuracy" (Keras's "auto") and for the metrics where higher
   * is better (precision, recall, f1, auc, also per class: {@code val_f1[2]}), {@link #MIN}
   * otherwise.
   */
  AUTO,
  MIN,
  MAX;

  /** {@link #MIN} or {@link #MAX}: what AUTO means for {@code monitor}. */
  MonitorMode resolve(String monitor) {
    if (this != AUTO) {
      return this;
    }
    String base = monitor.replaceFirst("^val_", "").replaceFirst("\\[\\d+\\]$", "");
    return monitor.contains("accuracy") || java.util.Set.of("precision", "recall", "f1", "auc").contains(base)
        ? MAX
        : MIN;
  }
}
