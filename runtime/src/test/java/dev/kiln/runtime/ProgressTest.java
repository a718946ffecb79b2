package dev.kiln.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressTest {
  /** Records what fit would print: "U:" for a bar update, "L:" for a finished line. */
  static final class Recorder implements ProgressPrinter {
    final List<String> events = new ArrayList<>();

    @Override
    public void update(String text) {
      events.add("U:" + text);
    }

    @Override
    public void line(String text) {
      events.add("L:" + text);
    }
  }

  private static Map<String, Double> values() {
    Map<String, Double> values = new LinkedHashMap<>();
    values.put("loss", 0.40751);
    values.put("accuracy", 0.85612);
    values.put("val_loss", 0.5);
    values.put("grad_norm/dense", 3.25);
    values.put("activation_mean/dense", 0.5);
    values.put("lr", 0.001);
    values.put("seconds", 2.0);
    return values;
  }

  @Test
  void barRedrawsAtMostTenTimesASecondAndAllocatesNothingBetween() {
    Recorder recorder = new Recorder();
    long[] now = {5_000_000_000L};
    Progress progress = new Progress(Verbosity.BAR, recorder, 10, 938, () -> now[0]);
    progress.epochBegin(3);
    now[0] += 1_000_000_000L;
    progress.step(1, 0.9, 0.5);
    assertEquals(List.of("U:Epoch 3/10   1/938 [>...................] 1.0s - ETA 15m37s - loss: 0.9000"
        + " - accuracy: 0.5000"), recorder.events, "the first step draws the bar");
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    for (int i = 0; i < 20_000; i++) {
      progress.step(2, 0.8, 0.6); // warm-up, within the same 100 ms: no redraw
    }
    long before = threads.getThreadAllocatedBytes(thread);
    for (int i = 0; i < 100_000; i++) {
      now[0] += 999; // 100,000 steps in 99.9 ms
      progress.step(2 + i % 900, 0.8, 0.6);
    }
    long allocated = threads.getThreadAllocatedBytes(thread) - before;
    assertEquals(1, recorder.events.size(), "no redraw within 100 ms of the last");
    assertTrue(allocated < 1024, allocated + " bytes over 100,000 steps");
    now[0] += 100_000; // 100 ms after the first draw
    progress.step(469, 0.5, 0.75);
    assertEquals("U:Epoch 3/10 469/938 [==========>.........] 1.1s - ETA 1.1s - loss: 0.5000 - accuracy: 0.7500",
        recorder.events.get(1));
  }

  @Test
  void barEndsWithTheEpochsValuesButNoDiagnostics() {
    Recorder recorder = new Recorder();
    Progress progress = new Progress(Verbosity.BAR, recorder, 10, 938);
    progress.epochBegin(3);
    progress.epochEnd(938, 2.9, values(), true);
    assertEquals(List.of("L:Epoch 3/10 938/938 [====================] 2.9s 3.09 ms/step - loss: 0.4075"
        + " - accuracy: 0.8561 - val_loss: 0.5000 - lr: 0.001000"), recorder.events);
    progress.epochBegin(4);
    progress.epochEnd(938, 2.9, values(), false);
    assertEquals(1, recorder.events.size(), "an epoch not kept leaves its bar to the next");
  }

  @Test
  void linesModePrintsOneShortLinePerEpoch() {
    Recorder recorder = new Recorder();
    Progress progress = new Progress(Verbosity.LINES, recorder, 10, 938);
    progress.epochBegin(3);
    progress.step(1, 0.9, 0.5);
    progress.epochEnd(938, 2.9, values(), true);
    progress.message("Early stopping at epoch 3");
    assertEquals(List.of("L:Epoch 3/10 - 938 steps - loss: 0.4075 - accuracy: 0.8561 - val_loss: 0.5000"
        + " - lr: 0.001000 - 3.09 ms/step", "L:Early stopping at epoch 3"), recorder.events);
  }

  @Test
  void silentPrintsNothing() {
    Recorder recorder = new Recorder();
    Progress progress = new Progress(Verbosity.SILENT, recorder, 10, 938);
    progress.epochBegin(1);
    progress.step(1, 0.9, 0.5);
    progress.epochEnd(938, 2.9, values(), true);
    progress.message("done");
    assertEquals(List.of(), recorder.events);
  }

  @Test
  void durations() {
    assertEquals("0.0s", Progress.duration(0.04));
    assertEquals("59.9s", Progress.duration(59.94));
    assertEquals("2m05s", Progress.duration(125.2));
    assertEquals("1h02m", Progress.duration(3725));
  }

  @Test
  void streamPrinterRedrawsInPlaceAndClearsALongerLine() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ProgressPrinter printer = ProgressPrinter.to(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    printer.update("abcdef");
    printer.update("abc");
    printer.line("ab");
    printer.line("next");
    String nl = System.lineSeparator();
    assertEquals("\rabcdef\rabc   \rab " + nl + "next" + nl, bytes.toString(StandardCharsets.UTF_8));
  }

  /** Under Maven, standard output is a pipe: AUTO means one line per epoch. */
  @Test
  void autoIsLinesWithoutATerminal() {
    assertEquals(Verbosity.LINES, Verbosity.AUTO.resolve());
    assertEquals(Verbosity.BAR, Verbosity.BAR.resolve());
  }

  @Test
  void verbositySettingsKeepTheOldMeanings() {
    assertEquals(Verbosity.AUTO, FitOptions.epochs(3).verbosity());
    assertEquals(Verbosity.SILENT, FitOptions.epochs(3).withVerbose(false).verbosity());
    assertEquals(Verbosity.SILENT, FitOptions.epochs(3).withProgressEvery(0).verbosity());
    assertEquals(Verbosity.AUTO, FitOptions.epochs(3).withVerbose(false).withProgressEvery(2).verbosity());
    assertEquals(Verbosity.LINES, FitOptions.epochs(3).withVerbosity(Verbosity.LINES).withProgressEvery(2).verbosity());
    FitOptions every2 = FitOptions.epochs(5).withProgressEvery(2);
    assertEquals(List.of(false, true, false, true, true),
        List.of(every2.printsProgressAfter(1), every2.printsProgressAfter(2), every2.printsProgressAfter(3),
            every2.printsProgressAfter(4), every2.printsProgressAfter(5)));
  }
}
