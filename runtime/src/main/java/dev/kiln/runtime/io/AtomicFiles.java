package dev.kiln.runtime.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes a file so that readers see either the old file or the complete new one: the content goes
 * to a temporary file in the same directory, is forced to disk, and is renamed over the target;
 * on any failure the temporary file is removed and the target is untouched. Every writer of Kiln's
 * files (weights, arrays, reports) goes through here.
 *
 * <p>A process killed mid-write (kill -9, power loss) cannot remove its temporary file, so the
 * name records who wrote it: {@code .<target name>.kiln-tmp-<pid>-<process start, ms>-<n>}. Each
 * write of a target first deletes that target's temporary files whose process is gone: no live
 * process has the pid, or the process with that pid started at another time (the pid was reused).
 * Files of live processes, this one included, are left alone, since they may be writes in
 * progress.
 */
public final class AtomicFiles {
  /** Writes a file's content into an open channel. */
  @FunctionalInterface
  public interface Content {
    void writeTo(FileChannel channel) throws IOException;
  }

  private AtomicFiles() {}

  /** The marker between the target's name and the writer's pid in temporary file names. */
  static final String TEMP_MARKER = ".kiln-tmp-";

  private static final long PID = ProcessHandle.current().pid();
  private static final long STARTED = startMillis(ProcessHandle.current());
  private static final AtomicLong COUNTER = new AtomicLong();

  /**
   * Writes {@code path} atomically with {@code content}, first removing temporary files that
   * killed writers of {@code path} left behind.
   *
   * @throws NullPointerException if an argument is null
   * @throws IOException if writing, forcing or renaming fails
   */
  public static void write(Path path, Content content) throws IOException {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(content, "content");
    Path target = path.toAbsolutePath();
    Path directory = target.getParent();
    String fileName = target.getFileName().toString();
    removeStaleTemps(directory, fileName);
    Path temp = createTemp(directory, fileName);
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

  /**
   * Deletes the temporary files of {@code target} left by writers that no longer run (see the
   * class comment) and returns how many were deleted. Best effort: a file that cannot be listed
   * or deleted is skipped.
   *
   * @throws NullPointerException if {@code target} is null
   */
  public static int removeStaleTemps(Path target) {
    Objects.requireNonNull(target, "target");
    Path absolute = target.toAbsolutePath();
    return removeStaleTemps(absolute.getParent(), absolute.getFileName().toString());
  }

  private static int removeStaleTemps(Path directory, String fileName) {
    String prefix = "." + fileName + TEMP_MARKER;
    int removed = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory,
        entry -> entry.getFileName().toString().startsWith(prefix))) {
      for (Path entry : entries) {
        if (isStale(entry.getFileName().toString().substring(prefix.length()))) {
          try {
            if (Files.deleteIfExists(entry)) {
              removed++;
            }
          } catch (IOException e) {
            // Best effort: another process may be cleaning up too, or the file is protected.
          }
        }
      }
    } catch (IOException | DirectoryIteratorException e) {
      // Best effort: the write itself reports a directory it cannot use.
    }
    return removed;
  }

  /** Whether {@code <pid>-<start>-<n>} names a writer that is no longer running. */
  static boolean isStale(String suffix) {
    String[] parts = suffix.split("-", -1);
    long pid;
    long started;
    try {
      if (parts.length != 3) {
        return false; // not a name this class makes: leave it alone
      }
      pid = Long.parseLong(parts[0]);
      started = Long.parseLong(parts[1]);
      Long.parseLong(parts[2]);
    } catch (NumberFormatException e) {
      return false;
    }
    if (pid == PID) {
      return started != STARTED; // a previous process with our pid; ours may be writing now
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    if (process.isEmpty() || !process.get().isAlive()) {
      return true;
    }
    long otherStarted = startMillis(process.get());
    return otherStarted >= 0 && started >= 0 && otherStarted != started;
  }

  /** The process's start time in milliseconds, or -1 where the platform does not tell. */
  private static long startMillis(ProcessHandle process) {
    return process.info().startInstant().map(Instant::toEpochMilli).orElse(-1L);
  }

  /** Writes all of {@code buffer}. */
  public static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(buffer, "buffer");
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  private static Path createTemp(Path directory, String fileName) throws IOException {
    for (int attempt = 0; ; attempt++) {
      Path temp = directory.resolve("." + fileName + TEMP_MARKER + PID + "-" + STARTED + "-"
          + COUNTER.incrementAndGet());
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
