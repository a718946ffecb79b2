package dev.kiln.runtime.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.History;
import dev.kiln.runtime.ModelCore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvLoggerTest {
  @TempDir Path dir;

  private static FitOptions options(int epochs, Callback... callbacks) {
    return FitOptions.epochs(epochs).withBatchSize(1).withValidation(EarlyStoppingTest.X, EarlyStoppingTest.VAL_Y)
        .withVerbose(false).withCallbacks(callbacks);
  }

  @Test
  void writesAHeaderAndOneRowPerEpochEqualToTheHistory() throws Exception {
    Path file = dir.resolve("logs/training.csv");
    ModelCore model = LinearNetwork.model(1, 1, 0.025f);
    // Reads the file at the end of every epoch: the row is there while training runs.
    Callback reader = new Callback() {
      @Override
      public void onEpochEnd(int epoch, History history, TrainingContext context) {
        try {
          assertEquals(epoch + 1, Files.readAllLines(file).size(), "lines after epoch " + epoch);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    };
    History history = model.fit(EarlyStoppingTest.X, EarlyStoppingTest.Y, options(4, CsvLogger.to(file), reader));
    List<String> lines = Files.readAllLines(file);
    assertEquals("epoch,loss,val_loss,seconds", lines.get(0));
    assertEquals(5, lines.size());
    for (int e = 1; e <= 4; e++) {
      String[] cells = lines.get(e).split(",");
      assertEquals(Integer.toString(e), cells[0]);
      assertEquals(history.get("loss")[e - 1], Double.parseDouble(cells[1]), 0.0);
      assertEquals(history.get("val_loss")[e - 1], Double.parseDouble(cells[2]), 0.0);
      assertEquals(history.get("seconds")[e - 1], Double.parseDouble(cells[3]), 0.0);
    }
    // val_loss of the worked example: (p_k - 1)^2, p_k = 2 - 2 * 0.9^k
    assertEquals(EarlyStoppingTest.expectedValLoss(4)[3], Double.parseDouble(lines.get(4).split(",")[2]), 1e-6);
  }

  @Test
  void replacesTheFileEachFitUnlessAppending() throws Exception {
    Path file = dir.resolve("training.csv");
    ModelCore model = LinearNetwork.model(1, 1, 0.025f);
    CsvLogger logger = CsvLogger.to(file);
    model.fit(EarlyStoppingTest.X, EarlyStoppingTest.Y, options(3, logger));
    model.fit(EarlyStoppingTest.X, EarlyStoppingTest.Y, options(2, logger));
    List<String> lines = Files.readAllLines(file);
    assertEquals(3, lines.size(), "header and the second fit's 2 rows");
    model.fit(EarlyStoppingTest.X, EarlyStoppingTest.Y, options(2, logger.appending()));
    lines = Files.readAllLines(file);
    assertEquals(5, lines.size(), "one header, then 2 + 2 rows");
    assertEquals(List.of("1", "2", "1", "2"),
        lines.subList(1, 5).stream().map(l -> l.substring(0, l.indexOf(','))).toList());
  }
}
