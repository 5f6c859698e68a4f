<?php
// DokuWiki's own cleanID() (inc/pageutils.php of the installed package),
// with DokuWiki's default settings, for names on stdin, one a line: what
// tests/export.bats checks logbook's namespace cleaning against.
//   php tests/dokuwiki-cleanid.php [DOKU_INC] < names
define('UTF8_MBSTRING', function_exists('mb_substr'));
define('DOKU_INC', rtrim($argv[1] ?? '/usr/share/dokuwiki', '/') . '/');
require_once DOKU_INC . 'inc/Utf8/PhpString.php';
require_once DOKU_INC . 'inc/Utf8/Clean.php';
require_once DOKU_INC . 'inc/Utf8/Table.php';
require_once DOKU_INC . 'inc/Utf8/Unicode.php';
require_once DOKU_INC . 'inc/Utf8/Conversion.php';
$conf = ['sepchar' => '_', 'useslash' => 0, 'deaccent' => 1];
require_once DOKU_INC . 'inc/pageutils.php';
while (($l = fgets(STDIN)) !== false) {
    echo cleanID(rtrim($l, "\n")), "\n";
}
