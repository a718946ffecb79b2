package dev.kiln.runtime.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that readers see either the old file or the complete new one: the content goes
 * to a temporary file in the same directory, is forced to disk, and is renamed over the target;
 * on any failure the temporary file is removed and the target is untouched. Every writer of Kiln's
 * files (weights, arrays, reports) goes through here.
 */
public final class AtomicFiles {
  /** Writes a file's content into an open channel. */
  @FunctionalInterface
  public interface Content {
    void writeTo(FileChannel channel) throws IOException;
  }

  private AtomicFiles() {}

  public static void write(Path path, Content content) throws IOException {
    Path target = path.toAbsolutePath();
    Path directory = target.getParent();
    Path temp = createTemp(directory, target.getFileName().toString());
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        content.writeTo(channel);
        channel.force(true);
      }
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException | RuntimeException | Error e) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    forceDirectory(directory);
  }

  /** Writes all of {@code buffer}. */
  public static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  private static Path createTemp(Path directory, String fileName) throws IOException {
    for (int attempt = 0; ; attempt++) {
      Path temp = directory.resolve("." + fileName + "."
          + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
      try {
        // Default permissions (unlike Files.createTempFile's owner-only ones), so the renamed
        // file gets the same permissions as any other file the user creates.
        FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
        return temp;
      } catch (FileAlreadyExistsException e) {
        if (attempt >= 100) {
          throw e;
        }
      }
    }
  }

  /** Makes the rename durable where the platform allows opening a directory (POSIX). */
  private static void forceDirectory(Path directory) {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Best effort: the data itself was forced before the rename.
    }
  }
}
