#!/usr/bin/perl
# Reads every .eml file named on the command line with Sisimai (the reference bounce
# analyser) and prints one JSON object per file: the file name, whether Sisimai found a
# bounce (or a feedback report), the failed recipient, the reason and soft/hard. The last
# line is {"seconds": …} with the time spent inside Sisimai for all files.
use strict;
use warnings;
use Sisimai;
use JSON::PP;
use Time::HiRes qw(time);

my $json = JSON::PP->new->canonical(1);
my $spent = 0;
for my $path (@ARGV) {
    open(my $fh, '<:raw', $path) or die "$path: $!";
    my $text = do { local $/; <$fh> };
    close $fh;
    my $t0 = time;
    my $found = Sisimai->make(\$text, 'delivered' => 0, 'vacation' => 0);
    $spent += time - $t0;
    my $first = ($found && @$found) ? $found->[0] : undef;
    my ($name) = $path =~ m{([^/]+)$};
    print $json->encode({
        'file'       => $name,
        'found'      => $first ? JSON::PP::true : JSON::PP::false,
        'recipient'  => $first ? lc($first->recipient->address) : undef,
        'reason'     => $first ? $first->reason : undef,
        'softbounce' => $first ? 0 + $first->softbounce : undef,
    }), "\n";
}
print $json->encode({ 'seconds' => $spent, 'files' => scalar(@ARGV) }), "\n";
