package dev.kiln.safetensors;

/** Element types a safetensors file may declare; {@link #name()} is the spelling in the file. */
public enum DType {
  BOOL(1, false),
  U8(1, true),
  I8(1, true),
  F8_E4M3(1, false),
  F8_E5M2(1, false),
  I16(2, true),
  U16(2, true),
  F16(2, false),
  BF16(2, false),
  I32(4, true),
  U32(4, true),
  F32(4, false),
  I64(8, true),
  U64(8, true),
  F64(8, false);

  private final int byteSize;
  private final boolean integer;

  DType(int byteSize, boolean integer) {
    this.byteSize = byteSize;
    this.integer = integer;
  }

  /** Bytes per element. */
  public int byteSize() {
    return byteSize;
  }

  /** True for the signed and unsigned integer types (not {@link #BOOL}). */
  public boolean isInteger() {
    return integer;
  }

  /** The dtype spelled {@code name} in a file, or {@code null} if there is none. */
  static DType fromFileName(String name) {
    for (DType d : values()) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    return null;
  }
}
