package dev.kiln.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.report.TrainingReport;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A custom loop's history: any names, the same every epoch, reported like fit's. */
class HistoryRecordEpochTest {
  private static Map<String, Double> epoch(double g, double score) {
    Map<String, Double> values = new LinkedHashMap<>();
    values.put("g_loss", g);
    values.put("inception_score", score);
    return values;
  }

  @Test
  void customValuesAreRecordedAndReported() {
    History history = new History();
    history.recordEpoch(epoch(1.5, 2.25));
    history.recordEpoch(epoch(1.25, 3.5));
    assertEquals(2, history.epochs());
    assertArrayEquals(new double[] {1.5, 1.25}, history.get("g_loss"));
    assertEquals(3.5, history.last("inception_score"));
    String html = TrainingReport.html(history, "GAN");
    assertTrue(html.contains("<th>inception_score</th>"), html);
    assertTrue(html.contains("<td>3.50000</td>"), html);
    assertTrue(html.contains("id=\"chart-other\""), html);
  }

  @Test
  void everyEpochRecordsTheSameNames() {
    History history = new History();
    history.recordEpoch(epoch(1.5, 2.25));
    Map<String, Double> other = Map.of("g_loss", 1.0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> history.recordEpoch(other));
    assertEquals("epoch 2 records [g_loss], the earlier epochs [g_loss, inception_score]; record the same names "
        + "every epoch", e.getMessage());
    assertEquals(1, history.epochs());
  }
}
