/// nftctl's version: the ONE place it is written. `nftctl --version`, the Debian package
/// (the Makefile reads it from this line), the saved boot ruleset and any cache key that must
/// change with the program read it from here.
public enum NFTCtlVersion {
    public static let number = "0.1.0"
}
