package dev.kiln.runtime;

import java.util.List;
import java.util.Map;

/** Test-only: builds {@link History} objects by hand. */
public final class HistoryFixtures {
  private HistoryFixtures() {}

  /**
   * A history with one map of values per epoch; {@code stoppedEpoch} and {@code bestEpoch} 0 for
   * none.
   */
  public static History of(
      List<Map<String, Double>> epochs, int stoppedEpoch, int bestEpoch, boolean restored) {
    History h = new History();
    for (Map<String, Double> e : epochs) {
      h.record(e);
    }
    if (stoppedEpoch > 0) {
      h.recordStop(stoppedEpoch);
    }
    if (bestEpoch > 0) {
      h.recordBest(bestEpoch, restored);
    }
    return h;
  }

  /** Sets one of {@link History#params()}. */
  public static void param(History history, String name, String value) {
    history.recordParam(name, value);
  }
}
