package dev.kiln.runtime.training;

import static dev.kiln.runtime.training.EarlyStoppingTest.X;
import static dev.kiln.runtime.training.EarlyStoppingTest.Y;
import static dev.kiln.runtime.training.EarlyStoppingTest.VAL_Y;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.ModelCore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ModelCheckpoint on the linear model of {@link EarlyStoppingTest}, whose best val_loss is at epoch 7. */
class ModelCheckpointCallbackTest {
  @TempDir Path dir;

  private static FitOptions options(int epochs, Callback... callbacks) {
    return FitOptions.epochs(epochs).withBatchSize(1).withValidation(X, VAL_Y).withVerbose(false).withCallbacks(callbacks);
  }

  @Test
  void theFileHoldsTheBestEpochsWeightsBitForBit() throws IOException {
    Path file = dir.resolve("best.safetensors");
    ModelCheckpoint checkpoint = ModelCheckpoint.best(file, "val_loss");
    EarlyStoppingTest.Snapshots snapshots = new EarlyStoppingTest.Snapshots();
    ModelCore model = LinearNetwork.model(1, 1, 0.025f);
    model.fit(X, Y, options(15, snapshots, checkpoint));
    assertEquals(7, checkpoint.bestEpoch());
    assertEquals(7, checkpoint.savedEpoch());
    assertEquals(file, checkpoint.savedFile());
    ModelCore fresh = LinearNetwork.model(1, 1, 0.025f);
    fresh.load(file);
    assertArrayEquals(snapshots.epochs.get(6), fresh.parameters());
    assertFalse(java.util.Arrays.equals(snapshots.epochs.get(14), fresh.parameters()));
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "no temporary files left behind");
    }
  }

  @Test
  void modeMaxSavesOnRisingValues() throws IOException {
    Path file = dir.resolve("worst.safetensors");
    ModelCheckpoint checkpoint = ModelCheckpoint.best(file, "val_loss").withMode(MonitorMode.MAX);
    EarlyStoppingTest.Snapshots snapshots = new EarlyStoppingTest.Snapshots();
    LinearNetwork.model(1, 1, 0.025f).fit(X, Y, options(10, snapshots, checkpoint));
    // val_loss falls from epoch 1 to 7 and rises after, but stays below epoch 1's 0.64 up to epoch 10.
    assertEquals(1, checkpoint.bestEpoch());
    ModelCore fresh = LinearNetwork.model(1, 1, 0.025f);
    fresh.load(file);
    assertArrayEquals(snapshots.epochs.get(0), fresh.parameters());
  }

  @Test
  void everyEpochWritesOneFilePerEpochWithTheEpochInTheName() throws IOException {
    ModelCheckpoint checkpoint = ModelCheckpoint.everyEpoch(dir.resolve("ckpt-{epoch}.safetensors"));
    EarlyStoppingTest.Snapshots snapshots = new EarlyStoppingTest.Snapshots();
    LinearNetwork.model(1, 1, 0.025f).fit(X, Y, options(4, snapshots, checkpoint));
    assertEquals(4, checkpoint.savedEpoch());
    for (int epoch = 1; epoch <= 4; epoch++) {
      ModelCore fresh = LinearNetwork.model(1, 1, 0.025f);
      fresh.load(dir.resolve("ckpt-" + epoch + ".safetensors"));
      assertArrayEquals(snapshots.epochs.get(epoch - 1), fresh.parameters(), "epoch " + epoch);
    }
    Path single = dir.resolve("last.safetensors");
    LinearNetwork.model(1, 1, 0.025f).fit(X, Y, options(3, snapshots, ModelCheckpoint.everyEpoch(single)));
    ModelCore fresh = LinearNetwork.model(1, 1, 0.025f);
    fresh.load(single);
    assertArrayEquals(snapshots.epochs.get(2), fresh.parameters());
  }

  @Test
  void aFailedWriteStopsTrainingNamingTheFile() {
    Path file = dir.resolve("missing-directory").resolve("best.safetensors");
    UncheckedIOException e = assertThrows(UncheckedIOException.class,
        () -> LinearNetwork.model(1, 1, 0.025f).fit(X, Y, options(3, ModelCheckpoint.best(file, "val_loss"))));
    assertTrue(e.getMessage().contains("could not write " + file + " after epoch 1"), e.getMessage());
  }

  @Test
  void invalidArgumentsAreClearErrors() {
    assertThrows(IllegalArgumentException.class, () -> ModelCheckpoint.best(null, "val_loss"));
    assertThrows(IllegalArgumentException.class, () -> ModelCheckpoint.best(dir.resolve("a"), null));
    assertThrows(IllegalStateException.class, () -> ModelCheckpoint.everyEpoch(dir.resolve("a")).withMode(MonitorMode.MIN));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LinearNetwork.model(1, 1, 0.025f)
        .fit(X, Y, FitOptions.epochs(2).withBatchSize(1).withVerbose(false).withCallbacks(ModelCheckpoint.best(dir.resolve("a"), "val_loss"))));
    assertTrue(e.getMessage().startsWith("ModelCheckpoint monitors 'val_loss', which this training does not record"), e.getMessage());
  }
}
