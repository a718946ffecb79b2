package dev.kiln.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryFilesTest {
  @TempDir Path dir;

  private static History history() {
    List<Map<String, Double>> epochs = new ArrayList<>();
    double[] loss = {0.9, 0.1 + 0.2, Double.NaN};
    for (int e = 0; e < 3; e++) {
      Map<String, Double> values = new LinkedHashMap<>();
      values.put("loss", loss[e]);
      values.put("val_loss", 1.0 / (e + 3));
      values.put("grad_norm/a,b", e == 1 ? Double.POSITIVE_INFINITY : e == 0 ? 1e-30 : 3e-30);
      epochs.add(values);
    }
    History h = HistoryFixtures.of(epochs, 3, 2, true);
    h.recordParam("optimizer", "Adam(lr=0.001, \"quoted\")");
    h.recordParam("batch_size", "32");
    return h;
  }

  @Test
  void csvReadsBackExactly() throws Exception {
    History h = history();
    Path file = dir.resolve("history.csv");
    h.writeCsv(file);
    List<String> lines = Files.readAllLines(file);
    assertEquals("epoch,loss,val_loss,\"grad_norm/a,b\"", lines.get(0));
    assertEquals(4, lines.size());
    assertEquals("2,0.30000000000000004,0.25,Infinity", lines.get(2));
    assertEquals("3,NaN,0.2,3.0E-30", lines.get(3));
    for (int e = 1; e <= 3; e++) {
      String[] cells = lines.get(e).split(",");
      assertEquals(e, Integer.parseInt(cells[0]));
      assertEquals(Double.doubleToLongBits(h.get("loss")[e - 1]), Double.doubleToLongBits(Double.parseDouble(cells[1])));
      assertEquals(h.get("val_loss")[e - 1], Double.parseDouble(cells[2]), 0.0);
      assertEquals(h.get("grad_norm/a,b")[e - 1], Double.parseDouble(cells[3]), 0.0);
    }
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "no temporary file left");
    }
  }

  @Test
  void jsonReadsBackWithNullForNonFiniteValues() throws Exception {
    History h = history();
    Path file = dir.resolve("history.json");
    h.writeJson(file);
    String json = Files.readString(file);
    assertTrue(json.contains("\"epochs\": 3,"));
    assertTrue(json.contains("\"stopped_epoch\": 3,"));
    assertTrue(json.contains("\"best_epoch\": 2,"));
    assertTrue(json.contains("\"best_weights_restored\": true,"));
    assertTrue(json.contains("\"optimizer\": \"Adam(lr=0.001, \\\"quoted\\\")\""), json);
    assertTrue(json.contains("\"batch_size\": \"32\""));
    assertFalse(json.contains("NaN") || json.contains("Infinity"), json);
    Map<String, String> arrays = new LinkedHashMap<>();
    Matcher m = Pattern.compile("\"([^\"]+)\": \\[([^\\]]*)\\]").matcher(json);
    while (m.find()) {
      arrays.put(m.group(1), m.group(2));
    }
    assertEquals(List.of("loss", "val_loss", "grad_norm/a,b"), new ArrayList<>(arrays.keySet()));
    assertEquals("0.9, 0.30000000000000004, null", arrays.get("loss"));
    String[] val = arrays.get("val_loss").split(", ");
    for (int e = 0; e < 3; e++) {
      assertEquals(h.get("val_loss")[e], Double.parseDouble(val[e]), 0.0);
    }
    assertEquals("1.0E-30, null, 3.0E-30", arrays.get("grad_norm/a,b"));
  }

  @Test
  void fitRecordsItsParams() {
    History h = new History();
    assertTrue(h.params().isEmpty());
    assertEquals("epoch\n", h.toCsv());
  }
}
