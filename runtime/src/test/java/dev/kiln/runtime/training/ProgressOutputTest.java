package dev.kiln.runtime.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.History;
import dev.kiln.runtime.ProgressPrinter;
import dev.kiln.runtime.Verbosity;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What fit prints through its ProgressPrinter, by verbosity. */
class ProgressOutputTest {
  private static final class Recorder implements ProgressPrinter {
    final List<String> updates = new ArrayList<>();
    final List<String> lines = new ArrayList<>();

    @Override
    public void update(String text) {
      updates.add(text);
    }

    @Override
    public void line(String text) {
      lines.add(text);
    }
  }

  private static FitOptions options(Verbosity verbosity, Recorder recorder) {
    return FitOptions.epochs(3).withBatchSize(1).withValidation(EarlyStoppingTest.X, EarlyStoppingTest.VAL_Y)
        .withDiagnostics(true).withVerbosity(verbosity).withProgressPrinter(recorder);
  }

  @Test
  void linesCarryLossAndValidationButNotDiagnostics() {
    Recorder recorder = new Recorder();
    History history = LinearNetwork.model(1, 1, 0.025f).fit(EarlyStoppingTest.X, EarlyStoppingTest.Y,
        options(Verbosity.LINES, recorder));
    assertTrue(history.names().stream().anyMatch(n -> n.startsWith("grad_norm/")), "diagnostics recorded");
    assertEquals(List.of(), recorder.updates);
    assertEquals(3, recorder.lines.size());
    for (int e = 1; e <= 3; e++) {
      String line = recorder.lines.get(e - 1);
      String expected = String.format(java.util.Locale.ROOT, "Epoch %d/3 - 1 step - loss: %.4f - val_loss: %.4f - ",
          e, history.get("loss")[e - 1], history.get("val_loss")[e - 1]);
      assertTrue(line.startsWith(expected) && line.endsWith("/step"), line);
      assertTrue(line.length() < 100 && !line.contains("/dense") && !line.contains("grad"), line);
    }
  }

  @Test
  void barDrawsEachEpochAndKeepsItsLine() {
    Recorder recorder = new Recorder();
    History history = LinearNetwork.model(1, 1, 0.025f).fit(EarlyStoppingTest.X, EarlyStoppingTest.Y,
        options(Verbosity.BAR, recorder));
    assertEquals(3, recorder.updates.size(), "one step per epoch: drawn at its first (only) step");
    assertTrue(recorder.updates.get(1).startsWith("Epoch 2/3 1/1 [====================] "), recorder.updates.get(1));
    assertEquals(3, recorder.lines.size());
    String expected = String.format(java.util.Locale.ROOT, "loss: %.4f - val_loss: %.4f", history.get("loss")[2],
        history.get("val_loss")[2]);
    assertTrue(recorder.lines.get(2).startsWith("Epoch 3/3 1/1 [====================] "), recorder.lines.get(2));
    assertTrue(recorder.lines.get(2).endsWith(expected), recorder.lines.get(2));
  }

  @Test
  void silentAndTheEndOfTrainingMessage() {
    Recorder recorder = new Recorder();
    LinearNetwork.model(1, 1, 0.025f).fit(EarlyStoppingTest.X, EarlyStoppingTest.Y,
        options(Verbosity.SILENT, recorder).withCallbacks(EarlyStopping.monitoring("val_loss").withRestoreBestWeights(true)));
    assertEquals(List.of(), recorder.lines);
    assertEquals(List.of(), recorder.updates);
    Recorder lines = new Recorder();
    LinearNetwork.model(1, 1, 0.025f).fit(EarlyStoppingTest.X, EarlyStoppingTest.Y, options(Verbosity.LINES, lines)
        .withCallbacks(EarlyStopping.monitoring("val_loss").withRestoreBestWeights(true)));
    assertEquals(4, lines.lines.size(), lines.lines.toString());
    assertTrue(lines.lines.get(3).startsWith("Restored the weights of epoch 3: best val_loss "), lines.lines.get(3));
  }

  /** With progress every 50 epochs, the epoch early stopping ends at still gets its line. */
  @Test
  void theStoppingEpochIsShownWhateverProgressEverySays() {
    Recorder recorder = new Recorder();
    History history = LinearNetwork.model(1, 1, 0.025f).fit(EarlyStoppingTest.X, EarlyStoppingTest.Y,
        FitOptions.epochs(100).withBatchSize(1).withValidation(EarlyStoppingTest.X, EarlyStoppingTest.VAL_Y)
            .withVerbosity(Verbosity.LINES).withProgressPrinter(recorder).withProgressEvery(50)
            .withCallbacks(EarlyStopping.monitoring("val_loss").withPatience(5)));
    assertEquals(12, history.stoppedEpoch()); // best epoch 7, patience 5
    assertEquals(2, recorder.lines.size(), recorder.lines.toString());
    assertTrue(recorder.lines.get(0).startsWith("Epoch 12/100 - 1 step - loss: "), recorder.lines.get(0));
    assertTrue(recorder.lines.get(1).startsWith("Early stopping at epoch 12: best val_loss "), recorder.lines.get(1));
  }
}
