"""Synthetic persons with known ground truth, for benchmarks and for measuring match recall.

Families of realistic Moldovan, Ukrainian, Romanian and Kyrgyz names, written the way the
registry receives them: Moldovan names in Romanian and, as a police station or clinic writes
them, in Russian Cyrillic; Ukrainian names in Cyrillic and in KMU 2010 Latin; Kyrgyz names in
Cyrillic with ң ө ү and in Latin. A share of the records are duplicates of an earlier person
with the variations the registry must catch (another script, lost diacritics, a typo, swapped
names, an estimated birth date, a Russified given name, the identifier on one side only), and
about one in a hundred is a twin: the same family name and birth date, another person.

Every record carries `entity`, the ground truth: two records are the same person exactly when
their entities are equal. The output is a pure function of the arguments (a seeded
`random.Random`), and identifiers have valid check digits and are unique across the output.
"""

from __future__ import annotations

import random
import re
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache
from itertools import accumulate
from typing import NamedTuple, TypedDict

from stdnum.md import idno as md_idno
from stdnum.ro import cnp as ro_cnp
from stdnum.ua import rntrc as ua_rntrc

__all__ = [
    "COUNTRIES",
    "REFERENCE_DATE",
    "VARIATIONS",
    "SyntheticHousehold",
    "SyntheticPerson",
    "households",
    "leaf_units",
    "persons",
]

# Ages are counted back from a fixed day, so that the output does not change with the calendar.
REFERENCE_DATE = date(2025, 1, 1)
COUNTRIES = ("MD", "UA", "RO", "KG")
VARIATIONS = ("script", "diacritics", "typo", "swapped", "estimated_birth", "russified", "exact")
# How often each variation is the first one applied to a duplicate; a third get a second one.
_VARIATION_WEIGHTS = {
    "script": 25,
    "diacritics": 15,
    "typo": 20,
    "swapped": 7,
    "estimated_birth": 15,
    "russified": 13,
    "exact": 5,
}
_SECOND_VARIATION = 0.3


class Forms(NamedTuple):
    """One name in the spellings a record may use: Latin, Cyrillic, and their Russified forms."""

    lat: str
    cyr: str
    rlat: str
    rcyr: str

    def pick(self, cyrillic: bool, russified: bool) -> str:
        if cyrillic:
            return self.rcyr if russified else self.cyr
        return self.rlat if russified else self.lat


class SyntheticPerson(TypedDict):
    given_name: str
    family_name: str
    patronymic: str
    sex: str
    birth_date: date
    birth_date_precision: str
    birth_date_estimated: bool
    unit_code: str
    identifiers: list[tuple[str, str]]
    # Ground truth: equal entities are the same person.
    entity: int
    # "original" (first record of a person), "duplicate" or "twin" (a twin's first record).
    kind: str
    variations: tuple[str, ...]
    twin_of: int | None
    # The family an original record belongs to (households), None for duplicates.
    household: int | None
    household_role: str


class SyntheticHousehold(TypedDict):
    household: int
    name: str
    unit_code: str
    # Positions in the record list given to `households`, with "head" or "member".
    members: list[tuple[int, str]]


# --------------------------------------------------------------------------------------------
# Transliteration (written here rather than borrowed from names.py, so that the benchmark is
# not measuring the matcher against its own rules).

_ICAO_RU = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "ie",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "iu",
    "я": "ia",
}
# Resolution 55 of the Cabinet of Ministers of Ukraine, 27 January 2010.
_KMU = {
    **_ICAO_RU,
    "г": "h",
    "ґ": "g",
    "е": "e",
    "є": "ie",
    "и": "y",
    "і": "i",
    "ї": "i",
    "й": "i",
    "ю": "iu",
    "я": "ia",
    "'": "",
    "’": "",
}
_KMU_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
# Kyrgyz passports (ICAO-like) and the spelling people use themselves (Jyldyz, Aigül, Aybek).
_KG_PASSPORT = {**_ICAO_RU, "ё": "yo", "ң": "ng", "ө": "o", "ү": "u", "ю": "yu", "я": "ya"}
_KG_POPULAR = {**_KG_PASSPORT, "ж": "j", "й": "y", "ө": "ö", "ү": "ü"}
_WORD_SPLIT = re.compile(r"([\s\-]+)")


def _case_like(source: str, text: str) -> str:
    if source[:1].isupper():
        return text[:1].upper() + text[1:]
    return text


def _kmu(text: str) -> str:
    """Ukrainian Cyrillic in KMU 2010 Latin (Олександр → Oleksandr, Згурський → Zghurskyi)."""
    parts = []
    for word in _WORD_SPLIT.split(text):
        if not word or _WORD_SPLIT.fullmatch(word):
            parts.append(word)
            continue
        lowered = word.lower()
        out = []
        for index, char in enumerate(lowered):
            if index == 0 and char in _KMU_INITIAL:
                out.append(_KMU_INITIAL[char])
            elif char == "г" and index > 0 and lowered[index - 1] == "з":
                out.append("gh")
            else:
                out.append(_KMU.get(char, char))
        parts.append(_case_like(word, "".join(out)))
    return "".join(parts)


def _table_latin(text: str, table: dict[str, str]) -> str:
    parts = []
    for word in _WORD_SPLIT.split(text):
        if not word or _WORD_SPLIT.fullmatch(word):
            parts.append(word)
            continue
        # Kyrgyz ңг is one "ng" in Latin (Чыңгыз → Chyngyz).
        latin = "".join(table.get(char, char) for char in word.lower().replace("ңг", "ң"))
        parts.append(_case_like(word, latin))
    return "".join(parts)


def _icao_ru(text: str) -> str:
    return _table_latin(text, _ICAO_RU)


# --------------------------------------------------------------------------------------------
# Patronymics.

_RU_VOWELS = frozenset("аеёиоуыэюяөү")
_RU_PATRONYMIC_SPECIAL = {
    "Илья": ("Ильич", "Ильинична"),
    "Никита": ("Никитич", "Никитична"),
    "Михаил": ("Михайлович", "Михайловна"),
    "Пётр": ("Петрович", "Петровна"),
    "Павел": ("Павлович", "Павловна"),
    "Лев": ("Львович", "Львовна"),
    "Георгий": ("Георгиевич", "Георгиевна"),
    "Дмитрий": ("Дмитриевич", "Дмитриевна"),
}


def _russian_patronymic(father: str) -> tuple[str, str] | None:
    """(male, female) patronymic of a Russian-spelled given name, or None when not formed."""
    if " " in father or "-" in father:
        return None
    if father in _RU_PATRONYMIC_SPECIAL:
        return _RU_PATRONYMIC_SPECIAL[father]
    if father.endswith("ий"):
        stem = father[:-2] + "ь"
        return stem + "евич", stem + "евна"
    if father.endswith(("ей", "ай", "ой")):
        stem = father[:-1]
        return stem + "евич", stem + "евна"
    if father.endswith("ь"):
        return father[:-1] + "евич", father[:-1] + "евна"
    if father[-1] in _RU_VOWELS:
        return None
    return father + "ович", father + "овна"


_UK_PATRONYMIC_SPECIAL = {
    "Ілля": ("Ілліч", "Іллівна"),
    "Микола": ("Миколайович", "Миколаївна"),
    "Федір": ("Федорович", "Федорівна"),
    "Яків": ("Якович", "Яківна"),
    "Лев": ("Львович", "Львівна"),
    "Нікіта": ("Нікітович", "Нікітівна"),
}


def _ukrainian_patronymic(father: str) -> tuple[str, str] | None:
    if father in _UK_PATRONYMIC_SPECIAL:
        return _UK_PATRONYMIC_SPECIAL[father]
    if father.endswith("ій"):
        return father + "ович", father[:-1] + "ївна"
    if father.endswith("ь"):
        return father + "ович", father[:-1] + "івна"
    if father.endswith("о"):
        return father[:-1] + "ович", father[:-1] + "івна"
    if father[-1] in "аяеєиіїую":
        return None
    return father + "ович", father + "івна"


# --------------------------------------------------------------------------------------------
# Name lists. The most frequent names come first; frequencies fall off gently down each list.

# Family names of Moldova: Romanian spelling | Russian Cyrillic as written in Moldova.
_MD_FAMILY = """
Rusu|Русу Ceban|Чебан Ciobanu|Чобану Țurcanu|Цуркану Cebotari|Чеботарь Sîrbu|Сырбу
Lungu|Лунгу Munteanu|Мунтяну Rotari|Ротарь Popa|Попа Cojocari|Кожокарь Guțu|Гуцу
Melnic|Мельник Bivol|Бивол Moraru|Морару Ursu|Урсу Roșca|Рошка Croitoru|Кроитору
Morari|Морарь Botnari|Ботнарь Gheorghiță|Георгицэ Grosu|Гросу Lupu|Лупу Istrati|Истрати
Bălan|Бэлан Cazacu|Казаку Popescu|Попеску Mocanu|Мокану Ababii|Абабий Cușnir|Кушнир
Chiriac|Кирияк Plămădeală|Плэмэдялэ Rață|Рацэ Vrabie|Врабие Țîcu|Цыку Negru|Негру
Dodon|Додон Postolachi|Постолаки Pascari|Паскарь Cazac|Казак Apostol|Апостол Cucu|Куку
Donică|Доникэ Frunză|Фрунзэ Manole|Маноле Stratan|Стратан Țurcan|Цуркан Leahu|Ляху
Harea|Харя Spînu|Спыну Vasilache|Василаке Chirilă|Кирилэ Răileanu|Рэйляну
Bejenari|Беженарь Cozma|Козма Borș|Борш Botezatu|Ботезату Ștefăneț|Штефэнец
Ungureanu|Унгуряну Zaharia|Захария Oprea|Опря Olaru|Олару Carauș|Карауш Prodan|Продан
Ghimpu|Гимпу Hîncu|Хынку Josan|Жосан Luca|Лука Nistor|Нистор Onu|Ону Pîrău|Пырэу
Sandu|Санду Tănase|Тэнасе Topală|Топалэ Vîrlan|Вырлан Zubco|Зубко Cebanu|Чебану
Moldovan|Молдован Bujor|Бужор Creangă|Крянгэ Iepure|Епуре Neagu|Нягу Gașper|Гашпер
Năstase|Нэстасе Ojog|Ожог Șeremet|Шеремет Voloc|Волок Jardan|Жардан Mîndru|Мындру
"""

# Given names of Moldova: Romanian | Cyrillic transcription [| Russified Cyrillic | Russified Latin].
_MD_MALE = """
Ion|Ион|Иван|Ivan  Andrei|Андрей  Alexandru|Александру|Александр|Alexandr
Gheorghe|Георге|Георгий|Gheorghii  Vasile|Василе|Василий|Vasilii  Mihai|Михай|Михаил|Mihail
Nicolae|Николае|Николай|Nicolai  Dumitru|Думитру|Дмитрий|Dmitrii  Sergiu|Серджиу|Сергей|Serghei
Victor|Виктор  Vladimir|Владимир  Petru|Петру|Пётр|Piotr  Ștefan|Штефан|Степан|Stepan
Iurie|Юрие|Юрий|Iurii  Igor|Игорь  Maxim|Максим  Daniel|Даниел|Даниил|Daniil
Grigore|Григоре|Григорий|Grigorii  Constantin|Константин  Teodor|Теодор|Фёдор|Fiodor
Ilie|Илие|Илья|Ilia  Eugen|Еуджен|Евгений|Evghenii  Valeriu|Валериу|Валерий|Valerii
Anatol|Анатол|Анатолий|Anatolii  Veaceslav|Вячеслав  Oleg|Олег  Ruslan|Руслан
Denis|Денис  Cristian|Кристиан  Octavian|Октавиан  Radu|Раду  Tudor|Тудор
Valentin|Валентин  Artiom|Артём  Bogdan|Богдан  Dan|Дан  Dorin|Дорин  Emil|Эмил|Эмиль|Emil
Gabriel|Габриел|Гавриил|Gavriil  Ghenadie|Генадие|Геннадий|Ghenadii  Leonid|Леонид
Marin|Марин  Nichita|Никита  Pavel|Павел  Roman|Роман  Sorin|Сорин  Vadim|Вадим
Vitalie|Виталие|Виталий|Vitalii  Vlad|Влад  Adrian|Адриан  Alexei|Алексей
Corneliu|Корнелиу  Eduard|Эдуард  Iulian|Юлиан  Marcel|Марчел  Mircea|Мирча  Nicu|Нику
Silviu|Силвиу  Stanislav|Станислав  Timofei|Тимофей
"""
_MD_FEMALE = """
Maria|Мария  Elena|Елена  Ana|Ана|Анна|Anna  Ecaterina|Екатерина  Tatiana|Татьяна
Natalia|Наталия|Наталья|Natalia  Olga|Ольга  Svetlana|Светлана  Galina|Галина  Irina|Ирина
Ludmila|Людмила  Valentina|Валентина  Victoria|Виктория  Cristina|Кристина  Daniela|Даниела
Mihaela|Михаела  Andreea|Андреея  Alexandra|Александра  Ioana|Иоана  Doina|Дойна
Angela|Анжела  Aurelia|Аурелия  Corina|Корина  Diana|Диана  Eugenia|Еуджения|Евгения|Evghenia
Lilia|Лилия  Lidia|Лидия  Larisa|Лариса  Liliana|Лилиана  Marina|Марина
Nadejda|Надежда  Nina|Нина  Oxana|Оксана  Paraschiva|Параскива|Прасковья|Prascovia
Raisa|Раиса  Rodica|Родика  Silvia|Силвия|Сильвия|Silvia  Stela|Стела|Стелла|Stella
Tamara|Тамара  Vera|Вера  Zinaida|Зинаида  Adriana|Адриана  Alina|Алина  Carolina|Каролина
Dumitrița|Думитрица  Emilia|Эмилия  Gabriela|Габриела  Inga|Инга  Iulia|Юлия  Laura|Лаура
Mariana|Мариана  Nicoleta|Николета  Olesea|Олеся  Polina|Полина  Sofia|София
Veronica|Вероника  Viorica|Виорика  Xenia|Ксения  Zoia|Зоя  Anastasia|Анастасия  Eva|Ева
Sabina|Сабина
"""

# Family names of Ukraine: Ukrainian [| Russian spelling], or male/female pairs for adjectives.
_UA_FAMILY = """
Шевченко Коваленко Бондаренко Ткаченко Кравченко Коваль Олійник|Олейник Шевчук
Поліщук|Полищук Бойко Ткачук Кравчук Марченко Лисенко|Лысенко Руденко Савченко Мельник
Петренко Клименко Павленко Кузьменко Мороз Левченко Харченко Карпенко Савчук Панченко
Романенко Василенко Гончаренко Мельничук Литвиненко Іваненко|Иваненко Лук'яненко|Лукьяненко
Дмитренко Ковальчук Пономаренко Сидоренко Гаврилюк Данилюк Білик|Билык Гнатюк Костенко
Демченко Мартинюк|Мартынюк Приходько Тимошенко Яковенко Кушнір|Кушнир Захарченко Власенко
Юрченко Гуменюк Козак Сорока Зінченко|Зинченко Головко Мазур Лещенко Остапенко Семенко
Рибак|Рыбак Сидорук Дячук|Дьячук Онищенко Жук Фесенко Шаповал Мірошниченко|Мирошниченко
Вакуленко Ярошенко Гребенюк Пилипенко|Пилипенко Гордієнко|Гордиенко Кириленко Нестеренко
Тарасенко Кучер Стасюк Грищенко Скрипник|Скрыпник Литвин Ігнатенко|Игнатенко
Єременко|Еременко Яременко Кравець|Кравец Максименко Білоус|Белоус
"""
# Adjectival family names: Ukrainian male, female | Russian male, female.
_UA_FAMILY_ADJECTIVES = """
Осадчий,Осадча|Осадчий,Осадчая Задорожний,Задорожна|Задорожный,Задорожная
Ковальський,Ковальська|Ковальский,Ковальская Вишневський,Вишневська|Вишневский,Вишневская
Чорний,Чорна|Черный,Черная Білецький,Білецька|Белецкий,Белецкая
Іванов,Іванова|Иванов,Иванова Попов,Попова|Попов,Попова
"""
# Given names of Ukraine: Ukrainian | Russian.
_UA_MALE = """
Олександр|Александр Андрій|Андрей Дмитро|Дмитрий Сергій|Сергей Володимир|Владимир
Микола|Николай Іван|Иван Максим|Максим Артем|Артём Богдан|Богдан Віталій|Виталий
Віктор|Виктор Василь|Василий Юрій|Юрий Олег|Олег Ігор|Игорь Петро|Пётр Михайло|Михаил
Павло|Павел Денис|Денис Євген|Евгений Роман|Роман Тарас|Тарас Назар|Назар Данило|Даниил
Матвій|Матвей Тимофій|Тимофей Кирило|Кирилл Ярослав|Ярослав Костянтин|Константин
Анатолій|Анатолий Валентин|Валентин Григорій|Григорий Степан|Степан Федір|Фёдор Ілля|Илья
Руслан|Руслан Вадим|Вадим Леонід|Леонид Станіслав|Станислав Владислав|Владислав
Святослав|Святослав Остап|Остап Маркіян|Маркиян Антон|Антон Геннадій|Геннадий
Валерій|Валерий Олексій|Алексей Ростислав|Ростислав Захар|Захар Давид|Давид Марко|Марк
Нікіта|Никита Єгор|Егор Лев|Лев Тимур|Тимур Семен|Семён В'ячеслав|Вячеслав Борис|Борис
"""
_UA_FEMALE = """
Олена|Елена Наталія|Наталья Тетяна|Татьяна Ірина|Ирина Світлана|Светлана Оксана|Оксана
Юлія|Юлия Марія|Мария Ганна|Анна Анна|Анна Катерина|Екатерина Ольга|Ольга
Людмила|Людмила Галина|Галина Вікторія|Виктория Анастасія|Анастасия Валентина|Валентина
Надія|Надежда Любов|Любовь Лариса|Лариса Алла|Алла Інна|Инна Віра|Вера Христина|Кристина
Дарина|Дарья Софія|София Соломія|Соломия Злата|Злата Вероніка|Вероника Діана|Диана
Аліна|Алина Олександра|Александра Поліна|Полина Яна|Яна Марина|Марина Тамара|Тамара
Ніна|Нина Лідія|Лидия Зоя|Зоя Єва|Ева Мирослава|Мирослава Уляна|Ульяна Ангеліна|Ангелина
Валерія|Валерия Кіра|Кира Евеліна|Эвелина Ярослава|Ярослава Маргарита|Маргарита
Василина|Василина Богдана|Богдана Жанна|Жанна Раїса|Раиса Лілія|Лилия Емілія|Эмилия
Таїсія|Таисия Стефанія|Стефания Мілана|Милана Карина|Карина Олеся|Олеся
"""

# Family names of Kyrgyzstan (male form; the female form adds -а).
_KG_FAMILY = """
Асанов Жээнбеков Токтогулов Мамытов Бакиев Осмонов Турдубаев Абдыкеримов Үсөнов Төрөбеков
Өмүрбеков Түмөнбаев Сүйүнбаев Жуманазаров Кеңешбеков Дөөлөтбеков Мөлдөкулов Нурбеков
Үмөталиев Бөкөнбаев Абдылдаев Айтматов Акматов Алымбеков Аманов Асылбеков Байзаков
Бейшеналиев Бообеков Борубаев Дүйшөнбиев Жапаров Жумабаев Жусупов Исаков Кадыров Калыков
Каримов Кожомбердиев Көчкөнбаев Кулматов Курманалиев Мамбетов Мамбеталиев Медетов Назаров
Ниязов Нурматов Орозбеков Осмоналиев Сагынбаев Садыков Сатыбалдиев Сыдыков Талантбеков
Тагаев Ташиев Темиров Токтосунов Төлөгөнов Турсунбаев Түлөбердиев Үсөналиев Шаршенов
Эсенбеков Эргешов Эшматов Юсупов Абдразаков Бектенов Жолдошев Кыдыралиев Мамасалиев
Омуралиев Сооронбаев Чыңгышев Көкөнов Мырзакматов Бөрүбаев
"""
_KG_MALE = """
Азамат Айбек Бакыт Нурлан Эрлан Улан Бекзат Нурбек Алмаз Чыңгыз Темирлан Данияр Нурсултан
Бектур Жыргалбек Мирлан Канат Талант Улукбек Эрмек Асылбек Айдар Акылбек Бакай Бекболот
Дастан Жоомарт Калыс Курманбек Марат Медер Нуржан Өмүрбек Үсөн Самат Сүйүнбай Тилек
Төлөгөн Шайлообек Эламан Жеңиш Арслан Бекжан Байэл Мунарбек Нурислам Эмирлан Алинур
Адилет Бекнур Бахтияр Жаныбек Кубанычбек Мелис Нурдин Саламат Тынчтык Эркин
"""
_KG_FEMALE = """
Айгүл Бермет Гүлнара Айжан Айпери Айзада Асель Нургүл Жылдыз Динара Чолпон Бүбүсара Мээрим
Айнура Назира Элнура Жазгүл Гүлзат Аида Айсулуу Акылай Алтынай Бегимай Толгонай Нуриза
Салтанат Нургиза Сезим Айдана Гүлмира Каныкей Айчүрөк Асем Жибек Карлыгач Күмүш Назгүл
Перизат Сайкал Үмүт Чынара Элиза Эльмира Жаңылай Айкөкүл Нуркыз Бүбүкан Гүлжан Мөлмөл
Айтурган Жаркын Зарина Камила Мадина Малика Сымбат Уулкан Чынаргүл
"""

_RO_FAMILY = """
Popescu Popa Pop Radu Ionescu Dumitru Stoica Stan Gheorghe Rusu Munteanu Matei Constantin
Șerban Marin Mihai Ștefan Lazăr Florea Dinu Ciobanu Ene Tudor Moldovan Ilie Barbu Oprea
Nistor Dobre Cristea Lungu Vasile Stanciu Anghel Toma Sima Dumitrescu Georgescu Diaconu
Neagu Popovici Mocanu Nedelcu Preda Enache Voicu Manea Niculescu Dragomir Marinescu Avram
Iordache Mihăilă Sandu Cozma Neagoe Bălan Ardelean Zamfir Pavel Costache Roman Stănescu
Tănase Mitrea Ursu Bucur Grigore Lupu Ion Chiriac Ivan Pârvu Câmpeanu Olteanu Petrescu
Bogdan Iliescu Teodorescu Ungureanu Sârbu Nicolae Coman Iancu Manole Bratu Vlad Țăranu
Mureșan Ștefănescu Crăciun Roșu Neacșu
"""
_RO_MALE = """
Andrei Alexandru Mihai Ion Gheorghe Constantin Ionuț Nicolae Vasile Ștefan Florin Daniel
Marian Cristian Adrian Gabriel Dumitru George Răzvan Bogdan Ciprian Cosmin Radu Lucian
Marius Sorin Ovidiu Alin Cătălin Claudiu Costel Dorin Emil Eugen Liviu Laurențiu Matei David
Darius Luca Rareș Tudor Sebastian Victor Iulian Robert Paul Dragoș Horia Traian Viorel
Valentin Virgil Silviu Sergiu Octavian Aurel Petrică Costin Mircea Nicușor
"""
_RO_FEMALE = """
Maria Elena Ioana Andreea Ana Mihaela Cristina Alexandra Daniela Gabriela Alina Simona
Georgiana Florentina Nicoleta Ramona Adriana Roxana Carmen Raluca Diana Elisabeta Mariana
Larisa Denisa Bianca Iulia Irina Anca Camelia Luminița Monica Oana Cătălina Corina Ecaterina
Teodora Sofia Antonia Daria Sara Eva Rebeca Natalia Sorina Valentina Victoria Violeta Viorica
Lavinia Loredana Mirela Paula Petronela Rodica Silvia Smaranda Ștefania Tatiana Doina
Aurelia Ilinca
"""


def _words(block: str) -> list[str]:
    return block.split()


def _md_given(block: str) -> list[Forms]:
    forms = []
    for item in _words(block):
        parts = item.split("|")
        latin, cyrillic = parts[0], parts[1]
        rcyr = parts[2] if len(parts) > 2 else cyrillic
        rlat = parts[3] if len(parts) > 3 else latin
        forms.append(Forms(latin, cyrillic, rlat, rcyr))
    return forms


def _md_family(block: str) -> list[Forms]:
    forms = []
    for item in _words(block):
        latin, cyrillic = item.split("|")
        forms.append(Forms(latin, cyrillic, latin, cyrillic))
    return forms


def _ua_forms(uk: str, ru: str) -> Forms:
    return Forms(_kmu(uk), uk, _icao_ru(ru), ru)


def _ua_given(block: str) -> list[Forms]:
    forms = []
    for item in _words(block):
        uk, _sep, ru = item.partition("|")
        forms.append(_ua_forms(uk, ru or uk))
    return forms


def _ua_family() -> tuple[list[Forms], list[Forms]]:
    male, female = [], []
    for item in _words(_UA_FAMILY):
        uk, _sep, ru = item.partition("|")
        forms = _ua_forms(uk, ru or uk.replace("'", "ь"))
        male.append(forms)
        female.append(forms)
    for item in _words(_UA_FAMILY_ADJECTIVES):
        uk, ru = item.split("|")
        uk_m, uk_f = uk.split(",")
        ru_m, ru_f = ru.split(",")
        male.append(_ua_forms(uk_m, ru_m))
        female.append(_ua_forms(uk_f, ru_f))
    return male, female


# Russian documents write Kyrgyz names without ң ө ү, and with a soft sign after a final l.
_KG_RUSSIAN_SPECIAL = {"Чыңгыз": "Чингиз", "Чыңгышев": "Чингишев", "Чыңгышева": "Чингишева"}
_KG_SOFT_L = re.compile("(?<=[үу])л(?=[^аеёиоөуүыэюя]|$)")


def _kg_russian(text: str) -> str:
    if text in _KG_RUSSIAN_SPECIAL:
        return _KG_RUSSIAN_SPECIAL[text]
    softened = _KG_SOFT_L.sub("ль", text) if "ү" in text else text
    return softened.translate(str.maketrans("ңөүҢӨҮ", "ноуНОУ"))


def _kg_forms(kyrgyz: str) -> Forms:
    return Forms(
        _table_latin(kyrgyz, _KG_PASSPORT),
        kyrgyz,
        _table_latin(kyrgyz, _KG_POPULAR),
        _kg_russian(kyrgyz),
    )


def _latin_only(block: str) -> list[Forms]:
    return [Forms(word, word, word, word) for word in _words(block)]


@dataclass(frozen=True)
class _Country:
    code: str
    male: tuple[Forms, ...]
    female: tuple[Forms, ...]
    family_male: tuple[Forms, ...]
    family_female: tuple[Forms, ...]
    # Patronymics formed from each male given name: (for a son, for a daughter), or None.
    patronymics: tuple[tuple[Forms, Forms] | None, ...]
    # Share of original records written in Cyrillic, and Russified within each script.
    cyrillic: float
    russified_cyrillic: float
    russified_latin: float
    # Romanian spelling with ș ț ă â î (Latin records may lose or change the marks).
    romanian_marks: bool
    # Share of persons with a national identifier.
    identified: float
    male_weights: tuple[float, ...] = field(repr=False, default=())
    female_weights: tuple[float, ...] = field(repr=False, default=())
    family_weights: tuple[float, ...] = field(repr=False, default=())


def _zipf(count: int, exponent: float) -> tuple[float, ...]:
    return tuple(accumulate(1.0 / (rank + 1) ** exponent for rank in range(count)))


def _patronymics_md(male: Sequence[Forms]) -> tuple[tuple[Forms, Forms] | None, ...]:
    result: list[tuple[Forms, Forms] | None] = []
    for name in male:
        pair = _russian_patronymic(name.rcyr)
        # Latin Moldovan records carry no patronymic.
        result.append(
            None
            if pair is None
            else (Forms("", pair[0], "", pair[0]), Forms("", pair[1], "", pair[1]))
        )
    return tuple(result)


def _patronymics_ua(male: Sequence[Forms]) -> tuple[tuple[Forms, Forms] | None, ...]:
    result: list[tuple[Forms, Forms] | None] = []
    for name in male:
        uk = _ukrainian_patronymic(name.cyr)
        ru = _russian_patronymic(name.rcyr)
        if uk is None or ru is None:
            result.append(None)
            continue
        result.append(
            (
                Forms(_kmu(uk[0]), uk[0], _icao_ru(ru[0]), ru[0]),
                Forms(_kmu(uk[1]), uk[1], _icao_ru(ru[1]), ru[1]),
            )
        )
    return tuple(result)


def _patronymics_kg(male: Sequence[Forms]) -> tuple[tuple[Forms, Forms] | None, ...]:
    result: list[tuple[Forms, Forms] | None] = []
    for name in male:
        kyrgyz = _russian_patronymic(name.cyr)
        russian = _russian_patronymic(name.rcyr)
        if kyrgyz is None or russian is None:
            result.append(None)
            continue
        result.append(
            (
                Forms(
                    _table_latin(kyrgyz[0], _KG_PASSPORT),
                    kyrgyz[0],
                    _table_latin(kyrgyz[0], _KG_POPULAR),
                    russian[0],
                ),
                Forms(
                    _table_latin(kyrgyz[1], _KG_PASSPORT),
                    kyrgyz[1],
                    _table_latin(kyrgyz[1], _KG_POPULAR),
                    russian[1],
                ),
            )
        )
    return tuple(result)


def _country(
    code: str,
    male: list[Forms],
    female: list[Forms],
    family_male: list[Forms],
    family_female: list[Forms],
    patronymics: tuple[tuple[Forms, Forms] | None, ...],
    **shares: float | bool,
) -> _Country:
    return _Country(
        code=code,
        male=tuple(male),
        female=tuple(female),
        family_male=tuple(family_male),
        family_female=tuple(family_female),
        patronymics=patronymics,
        male_weights=_zipf(len(male), 0.5),
        female_weights=_zipf(len(female), 0.5),
        family_weights=_zipf(len(family_male), 0.2),
        **shares,  # type: ignore[arg-type]
    )


@cache
def _countries() -> dict[str, _Country]:
    md_male = _md_given(_MD_MALE)
    ua_male = _ua_given(_UA_MALE)
    ua_family_male, ua_family_female = _ua_family()
    kg_male = [_kg_forms(name) for name in _words(_KG_MALE)]
    kg_family = _words(_KG_FAMILY)
    ro_male = _latin_only(_RO_MALE)
    ro_family = _latin_only(_RO_FAMILY)
    return {
        "MD": _country(
            "MD",
            md_male,
            _md_given(_MD_FEMALE),
            _md_family(_MD_FAMILY),
            _md_family(_MD_FAMILY),
            _patronymics_md(md_male),
            cyrillic=0.2,
            russified_cyrillic=0.4,
            russified_latin=0.05,
            romanian_marks=True,
            identified=0.75,
        ),
        "UA": _country(
            "UA",
            ua_male,
            _ua_given(_UA_FEMALE),
            ua_family_male,
            ua_family_female,
            _patronymics_ua(ua_male),
            cyrillic=0.75,
            russified_cyrillic=0.15,
            russified_latin=0.1,
            romanian_marks=False,
            identified=0.7,
        ),
        "RO": _country(
            "RO",
            ro_male,
            _latin_only(_RO_FEMALE),
            ro_family,
            ro_family,
            tuple(None for _name in ro_male),
            cyrillic=0.0,
            russified_cyrillic=0.0,
            russified_latin=0.0,
            romanian_marks=True,
            identified=0.8,
        ),
        "KG": _country(
            "KG",
            kg_male,
            [_kg_forms(name) for name in _words(_KG_FEMALE)],
            [_kg_forms(name) for name in kg_family],
            [_kg_forms(name + "а") for name in kg_family],
            _patronymics_kg(kg_male),
            cyrillic=0.7,
            russified_cyrillic=0.25,
            russified_latin=0.3,
            romanian_marks=False,
            identified=0.7,
        ),
    }


# --------------------------------------------------------------------------------------------
# Spelling changes.

_COMMA_TO_CEDILLA = str.maketrans("șȘțȚ", "şŞţŢ")
_CEDILLA_TO_COMMA = str.maketrans("şŞţŢ", "șȘțȚ")
_STRIP_ROMANIAN = str.maketrans("șȘşŞțȚţŢăĂâÂîÎ", "sSsStTtTaAaAiI")
# Marks a Russian keyboard or a hurried clerk drops from Cyrillic names.
_STRIP_CYRILLIC = str.maketrans("ёЁїЇґҐңҢөӨүҮ", "еЕіІгГнНоОуУ")
MARKS = ("comma", "none", "cedilla")


def _marks(text: str, marks: str) -> str:
    if marks == "none":
        return text.translate(_STRIP_ROMANIAN)
    if marks == "cedilla":
        return text.translate(_COMMA_TO_CEDILLA)
    return text.translate(_CEDILLA_TO_COMMA)


_LATIN_LETTERS = "abcdefghijklmnoprstuvz"
_CYRILLIC_LETTERS = "абвгдежзиклмнопрстуфхцчшы"
_CYRILLIC_RE = re.compile("[\u0400-\u04ff]")


def _typo(rng: random.Random, text: str) -> str:
    """One edit: a wrong, missing, doubled or transposed letter (rarely the first one)."""
    if len(text) < 3:
        return text
    letters = _CYRILLIC_LETTERS if _CYRILLIC_RE.search(text) else _LATIN_LETTERS
    for _attempt in range(8):
        position = rng.randrange(len(text)) if rng.random() < 0.1 else rng.randrange(1, len(text))
        kind = rng.random()
        if kind < 0.4:
            replacement = rng.choice(letters)
            if text[position].isupper():
                replacement = replacement.upper()
            result = text[:position] + replacement + text[position + 1 :]
        elif kind < 0.6:
            result = text[:position] + text[position + 1 :]
        elif kind < 0.8:
            result = text[:position] + text[position] + text[position:]
        elif position < len(text) - 1:
            swapped = text[position + 1] + text[position]
            if position == 0:
                swapped = swapped[0].upper() + swapped[1].lower()
            result = text[:position] + swapped + text[position + 2 :]
        else:
            continue
        if result != text and result.strip() and "  " not in result and result[0] not in " -":
            return result
    return text


# --------------------------------------------------------------------------------------------
# National identifiers with valid check digits.

_RNOKPP_EPOCH = date(1899, 12, 31)
_CNP_COUNTIES = tuple(f"{n:02d}" for n in (*range(1, 47), 51, 52))
# IDNP serials: a fixed permutation of 0..10^8-1 (the multiplier is prime to 10), so that
# consecutive persons do not get consecutive numbers.
_IDNP_MULTIPLIER = 48271
_IDNP_OFFSET = 13_579_021


def _unzr_check(body: str) -> str:
    weights = (7, 3, 1) * 4
    return str(sum(w * int(d) for w, d in zip(weights, body, strict=True)) % 10)


class _Identifiers:
    """Issues unique identifiers in generation order (counters per birth date where the number
    encodes it), so that the same arguments always issue the same numbers."""

    def __init__(self, country: str) -> None:
        self.country = country
        self.issued = 0
        self.per_day: dict[tuple[str, date, str], int] = {}

    def _next(self, rng: random.Random, key: tuple[str, date, str], limit: int) -> int | None:
        """The next serial number under `limit` for `key`, from a random start per key."""
        value = self.per_day.get(key)
        if value is None:
            value = rng.randrange(limit // 2)
        if value >= limit:
            return None
        self.per_day[key] = value + 1
        return value

    def issue(self, rng: random.Random, sex: str, born: date) -> list[tuple[str, str]]:
        if self.country == "MD":
            serial = (self.issued * _IDNP_MULTIPLIER + _IDNP_OFFSET) % 10**8
            self.issued += 1
            # The year the number was assigned: at birth since 1997, else at the first passport.
            assigned = max(born.year, rng.randint(1997, 2006))
            body = f"2{assigned % 1000:03d}{serial:08d}"
            return [("md_idnp", body + md_idno.calc_check_digit(body))]
        if self.country == "RO":
            county = rng.choice(_CNP_COUNTIES)
            number = self._next(rng, ("ro_cnp", born, county), 999)
            if number is None:
                return []
            first = (
                ("1" if sex == "M" else "2") if born.year < 2000 else ("5" if sex == "M" else "6")
            )
            body = f"{first}{born:%y%m%d}{county}{number + 1:03d}"
            return [("ro_cnp", body + ro_cnp.calc_check_digit(body))]
        if self.country == "UA":
            result = []
            # Adults have a taxpayer number; children often only the UNZR of their birth record.
            adult = (REFERENCE_DATE - born).days >= 18 * 365
            if adult or rng.random() < 0.5:
                number = self._next(rng, ("ua_rnokpp", born, sex), 5000)
                if number is not None:
                    days = (born - _RNOKPP_EPOCH).days
                    body = f"{days:05d}{number * 2 + (1 if sex == 'M' else 0):04d}"
                    result.append(("ua_rnokpp", body + ua_rntrc.calc_check_digit(body)))
            if born.year >= 2013 or not result:
                number = self._next(rng, ("ua_unzr", born, ""), 10000)
                if number is not None:
                    body = f"{born:%Y%m%d}{number:04d}"
                    result.append(("ua_unzr", f"{body[:8]}-{body[8:]}{_unzr_check(body)}"))
            return result
        if self.country == "KG":
            number = self._next(rng, ("kg_pin", born, sex), 100000)
            if number is None:
                return []
            first = "2" if sex == "M" else "1"
            return [("kg_pin", f"{first}{born:%d%m%Y}{number:05d}")]
        return []


# --------------------------------------------------------------------------------------------
# Families and records.


@dataclass(frozen=True)
class _Style:
    cyrillic: bool
    russified: bool
    marks: str
    patronymic: bool


@dataclass(frozen=True)
class _Member:
    index: int
    sex: str
    birth_date: date
    precision: str
    estimated: bool
    given: int
    family: int
    father: int
    role: str
    identified: bool
    carries_identifiers: bool
    style: _Style
    twin_of_index: int | None


@dataclass(frozen=True)
class _Family:
    number: int
    unit: int
    members: tuple[_Member, ...]


_CHILDREN = (1, 2, 3, 4, 5)
_CHILDREN_WEIGHTS = tuple(accumulate((40, 32, 16, 8, 4)))
# Persons per family and children per family (before twins), for the twin probability.
_MEAN_FAMILY = 0.92 + 0.6 + 1.9
# Fewer than the 2.04 drawn: siblings who would be adults are left out.
_MEAN_CHILDREN = 1.9


_RECENT_FAMILIES = 256


def _days(years: float) -> int:
    return round(years * 365.25)


class _Generator:
    def __init__(
        self,
        *,
        count: int,
        seed: int,
        country: str,
        duplicates: float,
        twins: float,
        units: Sequence[str],
        identified: float | None,
    ) -> None:
        if country not in COUNTRIES:
            raise ValueError(
                f"Unknown country {country!r}; expected one of {', '.join(COUNTRIES)}."
            )
        if not units:
            raise ValueError(f"No units for {country}: load the pack first (manage.py load_packs).")
        if not 0 <= duplicates < 1 or not 0 <= twins < 0.5:
            raise ValueError("duplicates must be in [0, 1) and twins in [0, 0.5).")
        self.count = count
        self.seed = seed
        self.country = _countries()[country]
        self.duplicates = duplicates
        # Per child, so that about `twins` of all records (duplicates included) are twins.
        self.twin_child = min(0.9, twins * _MEAN_FAMILY / _MEAN_CHILDREN / (1 - duplicates))
        self.units = list(units)
        self.identified = self.country.identified if identified is None else identified
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
        self.ids = _Identifiers(country)
        self.family_first: array[int] = array("q")
        self.emitted = 0
        # Identifiers of persons whose first record went without them: a later duplicate may
        # bring them (the registry never holds one number on two active records).
        self.pending: dict[int, list[tuple[str, str]]] = {}
        self.recent: dict[int, _Family] = {}
        self.variation_names = list(_VARIATION_WEIGHTS)
        self.variation_weights = tuple(accumulate(_VARIATION_WEIGHTS.values()))

    # The base of family `number` depends only on the seed and the number, so a duplicate of a
    # person is built again from its family instead of keeping every person in memory.
    def _family_rng(self, number: int) -> random.Random:
        return random.Random((self.seed << 40) ^ (number * 0x9E3779B1) ^ 0x5EED)  # noqa: S311

    def _style(self, rng: random.Random) -> _Style:
        country = self.country
        cyrillic = rng.random() < country.cyrillic
        russified = rng.random() < (
            country.russified_cyrillic if cyrillic else country.russified_latin
        )
        draw = rng.random()
        marks = "comma" if draw < 0.85 else ("none" if draw < 0.95 else "cedilla")
        return _Style(cyrillic, russified, marks, patronymic=rng.random() < 0.8)

    def _given(self, rng: random.Random, sex: str, avoid: int = -1) -> int:
        names, weights = (
            (self.country.male, self.country.male_weights)
            if sex == "M"
            else (self.country.female, self.country.female_weights)
        )
        while True:
            index = rng.choices(range(len(names)), cum_weights=weights)[0]
            if index != avoid:
                return index

    def _family_name(self, rng: random.Random) -> int:
        weights = self.country.family_weights
        return rng.choices(range(len(weights)), cum_weights=weights)[0]

    def _member(
        self,
        rng: random.Random,
        *,
        index: int,
        sex: str,
        born: date,
        family: int,
        father: int,
        role: str,
        given: int | None = None,
        twin_of_index: int | None = None,
    ) -> _Member:
        precision, estimated = "day", False
        adult = (REFERENCE_DATE - born).days >= _days(18)
        draw = rng.random()
        if draw < (0.04 if adult else 0.015):
            precision, estimated = "year", True
            born = born.replace(month=1, day=1)
        elif draw < (0.06 if adult else 0.02):
            precision, estimated = "month", True
            born = born.replace(day=1)
        identified = rng.random() < self.identified
        return _Member(
            index=index,
            sex=sex,
            birth_date=born,
            precision=precision,
            estimated=estimated,
            given=self._given(rng, sex) if given is None else given,
            family=family,
            father=father,
            role=role,
            identified=identified,
            carries_identifiers=identified and rng.random() < 0.8,
            style=self._style(rng),
            twin_of_index=twin_of_index,
        )

    def family(self, number: int) -> _Family:
        """Family `number`, built again from its own seed (the last few are kept)."""
        found = self.recent.get(number)
        if found is None:
            found = self.recent[number] = self._build_family(number)
            if len(self.recent) > _RECENT_FAMILIES:
                del self.recent[next(iter(self.recent))]
        return found

    def _build_family(self, number: int) -> _Family:
        rng = self._family_rng(number)
        unit = rng.randrange(len(self.units))
        surname = self._family_name(rng)
        father_given = self._given(rng, "M")
        has_father = rng.random() < 0.6
        has_mother = rng.random() < 0.92 or not has_father
        children = rng.choices(_CHILDREN, cum_weights=_CHILDREN_WEIGHTS)[0]
        # Children from the youngest up, one to six years apart, all under eighteen.
        ages = [rng.randrange(0, _days(17.5))]
        for _child in range(children - 1):
            older = ages[-1] + rng.randrange(300, _days(6))
            if older >= _days(18):
                break
            ages.append(older)
        oldest = REFERENCE_DATE - timedelta(days=ages[-1])
        mother_born = oldest - timedelta(days=rng.randrange(_days(17), _days(40)))
        father_born = mother_born - timedelta(days=rng.randrange(-_days(2), _days(8)))
        members: list[_Member] = []
        if has_father:
            members.append(
                self._member(
                    rng,
                    index=len(members),
                    sex="M",
                    born=father_born,
                    family=surname,
                    father=self._given(rng, "M"),
                    role="head",
                    given=father_given,
                )
            )
        if has_mother:
            keeps_name = has_father and rng.random() < 0.85
            members.append(
                self._member(
                    rng,
                    index=len(members),
                    sex="F",
                    born=mother_born,
                    family=surname if keeps_name or not has_father else self._family_name(rng),
                    father=self._given(rng, "M"),
                    role="member" if has_father else "head",
                )
            )
        for age in ages:
            born = REFERENCE_DATE - timedelta(days=age)
            sex = "M" if rng.random() < 0.51 else "F"
            child = self._member(
                rng,
                index=len(members),
                sex=sex,
                born=born,
                family=surname,
                father=father_given,
                role="member",
            )
            members.append(child)
            if rng.random() < self.twin_child:
                twin_sex = sex if rng.random() < 0.5 else ("F" if sex == "M" else "M")
                twin = self._member(
                    rng,
                    index=len(members),
                    sex=twin_sex,
                    born=child.birth_date,
                    family=surname,
                    father=father_given,
                    role="member",
                    given=self._given(rng, twin_sex, avoid=child.given if twin_sex == sex else -1),
                    twin_of_index=child.index,
                )
                # Twins are registered together: the same birth date, written the same way.
                members.append(
                    replace(
                        twin,
                        birth_date=child.birth_date,
                        precision=child.precision,
                        estimated=child.estimated,
                        style=child.style,
                    )
                )
        return _Family(number=number, unit=unit, members=tuple(members))

    # -- rendering ---------------------------------------------------------------------------

    def _names(self, member: _Member, style: _Style) -> tuple[str, str, str]:
        country = self.country
        given_forms = (country.male if member.sex == "M" else country.female)[member.given]
        family_forms = (country.family_male if member.sex == "M" else country.family_female)[
            member.family
        ]
        given = given_forms.pick(style.cyrillic, style.russified)
        family = family_forms.pick(style.cyrillic, style.russified)
        patronymic = ""
        pair = country.patronymics[member.father]
        if pair is not None and style.patronymic:
            patronymic = pair[0 if member.sex == "M" else 1].pick(style.cyrillic, style.russified)
        if country.romanian_marks and not style.cyrillic:
            given, family = _marks(given, style.marks), _marks(family, style.marks)
        return given, family, patronymic

    def _record(
        self,
        member: _Member,
        family: _Family,
        *,
        entity: int,
        kind: str,
        style: _Style,
        identifiers: list[tuple[str, str]],
        unit: int,
        variations: tuple[str, ...] = (),
        names: tuple[str, str, str] | None = None,
        birth: tuple[date, str, bool] | None = None,
    ) -> SyntheticPerson:
        given, family_name, patronymic = names or self._names(member, style)
        born, precision, estimated = birth or (
            member.birth_date,
            member.precision,
            member.estimated,
        )
        twin_of = None
        if member.twin_of_index is not None:
            twin_of = self.family_first[family.number] + member.twin_of_index
        original = kind != "duplicate"
        return {
            "given_name": given,
            "family_name": family_name,
            "patronymic": patronymic,
            "sex": member.sex,
            "birth_date": born,
            "birth_date_precision": precision,
            "birth_date_estimated": estimated,
            "unit_code": self.units[unit],
            "identifiers": identifiers,
            "entity": entity,
            "kind": kind,
            "variations": variations,
            "twin_of": twin_of,
            "household": family.number if original else None,
            "household_role": member.role if original else "",
        }

    # -- duplicates --------------------------------------------------------------------------

    def _vary(self, variation: str, member: _Member, style: _Style, state: _DuplicateState) -> bool:
        """Apply one variation to the duplicate being built; False when it would change nothing."""
        rng = self.rng
        country = self.country
        if variation == "script":
            if country.cyrillic == 0:
                return False
            state.style = _Style(
                not state.style.cyrillic,
                state.style.russified,
                state.style.marks,
                rng.random() < 0.5,
            )
            state.names = self._names(member, state.style)
            return state.names[:2] != self._names(member, style)[:2]
        if variation == "russified":
            flipped = _Style(
                state.style.cyrillic,
                not state.style.russified,
                state.style.marks,
                state.style.patronymic,
            )
            names = self._names(member, flipped)
            if names[:2] == state.names[:2]:
                return False
            state.style, state.names = flipped, names
            return True
        if variation == "diacritics":
            given, family_name, patronymic = state.names
            if state.style.cyrillic:
                changed = (
                    given.translate(_STRIP_CYRILLIC),
                    family_name.translate(_STRIP_CYRILLIC),
                    patronymic.translate(_STRIP_CYRILLIC),
                )
            elif country.romanian_marks:
                others = [m for m in MARKS if m != state.style.marks]
                rng.shuffle(others)
                changed = (given, family_name, patronymic)
                for marks in others:
                    changed = (_marks(given, marks), _marks(family_name, marks), patronymic)
                    if changed[:2] != (given, family_name):
                        break
            else:
                return False
            if changed[:2] == (given, family_name):
                return False
            state.names = changed
            return True
        if variation == "typo":
            given, family_name, patronymic = state.names
            if rng.random() < 0.5:
                changed_given = _typo(rng, given)
                if changed_given == given:
                    return False
                state.names = (changed_given, family_name, patronymic)
            else:
                changed_family = _typo(rng, family_name)
                if changed_family == family_name:
                    return False
                state.names = (given, changed_family, patronymic)
            return True
        if variation == "swapped":
            given, family_name, patronymic = state.names
            if given == family_name:
                return False
            state.names = (family_name, given, patronymic)
            return True
        if variation == "estimated_birth":
            born = member.birth_date
            draw = rng.random()
            if draw < 0.5:
                state.birth = (born.replace(month=1, day=1), "year", True)
            elif draw < 0.8:
                shift = rng.choice((-1, 1))
                year = born.year + shift
                if date(year, 1, 1) > REFERENCE_DATE:
                    year = born.year - 1
                state.birth = (date(year, 1, 1), "year", True)
            else:
                state.birth = (born.replace(day=1), "month", True)
            return state.birth != (member.birth_date, member.precision, member.estimated)
        return variation == "exact"

    def _duplicate(self) -> SyntheticPerson:
        rng = self.rng
        entity = rng.randrange(self.emitted)
        number = bisect_right(self.family_first, entity) - 1
        family = self.family(number)
        member = family.members[entity - self.family_first[number]]
        state = _DuplicateState(style=member.style, names=self._names(member, member.style))
        applied: list[str] = []
        order = rng.choices(self.variation_names, cum_weights=self.variation_weights, k=4)
        order += [v for v in self.variation_names if v not in order]
        wanted = 2 if rng.random() < _SECOND_VARIATION else 1
        for variation in dict.fromkeys(order):
            if len(applied) == wanted:
                break
            if variation == "exact" and applied:
                continue
            if self._vary(variation, member, member.style, state):
                applied.append(variation)
                if variation == "exact":
                    break
        identifiers: list[tuple[str, str]] = []
        pending = self.pending.get(entity)
        if pending is not None and rng.random() < 0.6:
            identifiers = self.pending.pop(entity)
        if member.identified:
            applied.append("identifier_one_side")
        unit = family.unit if rng.random() < 0.85 else rng.randrange(len(self.units))
        return self._record(
            member,
            family,
            entity=entity,
            kind="duplicate",
            style=state.style,
            identifiers=identifiers,
            unit=unit,
            variations=tuple(applied),
            names=state.names,
            birth=state.birth,
        )

    # -- the stream --------------------------------------------------------------------------

    def __iter__(self) -> Iterator[SyntheticPerson]:
        produced = 0
        number = -1
        queue: list[_Member] = []
        family: _Family | None = None
        while produced < self.count:
            if self.emitted and self.rng.random() < self.duplicates:
                yield self._duplicate()
                produced += 1
                continue
            if not queue:
                number += 1
                self.family_first.append(self.emitted)
                family = self.family(number)
                queue = list(family.members)
            assert family is not None
            member = queue.pop(0)
            entity = self.emitted
            self.emitted += 1
            identifiers: list[tuple[str, str]] = []
            if member.identified:
                issued = self.ids.issue(self.rng, member.sex, member.birth_date)
                if member.carries_identifiers:
                    identifiers = issued
                elif issued:
                    self.pending[entity] = issued
            yield self._record(
                member,
                family,
                entity=entity,
                kind="twin" if member.twin_of_index is not None else "original",
                style=member.style,
                identifiers=identifiers,
                unit=family.unit,
            )
            produced += 1


@dataclass
class _DuplicateState:
    style: _Style
    names: tuple[str, str, str]
    birth: tuple[date, str, bool] | None = None


def persons(
    count: int,
    *,
    units: Sequence[str],
    seed: int = 1,
    country: str = "MD",
    duplicates: float = 0.1,
    twins: float = 0.01,
    identified: float | None = None,
) -> Iterator[SyntheticPerson]:
    """`count` synthetic records for `country`, spread over `units` (codes, e.g. `leaf_units`).

    `duplicates` is the share of records that repeat an earlier person with variations; `twins`
    the share of records that are a twin of another person; `identified` the share of persons
    with a national identifier (a per-country default when None). Same arguments, same output.
    """
    return iter(
        _Generator(
            count=count,
            seed=seed,
            country=country.upper(),
            duplicates=duplicates,
            twins=twins,
            units=units,
            identified=identified,
        )
    )


def households(records: Iterable[SyntheticPerson]) -> list[SyntheticHousehold]:
    """One household per family among `records` (original records only), in order of appearance.

    The household is named after its head's family name; members are positions in `records`."""
    found: dict[int, SyntheticHousehold] = {}
    for position, record in enumerate(records):
        number = record["household"]
        if number is None:
            continue
        household = found.get(number)
        if household is None:
            household = found[number] = {
                "household": number,
                "name": record["family_name"],
                "unit_code": record["unit_code"],
                "members": [],
            }
        if record["household_role"] == "head":
            household["name"] = record["family_name"]
        household["members"].append((position, record["household_role"] or "member"))
    return list(found.values())


def leaf_units(country: str) -> dict[str, int]:
    """Codes and ids of the active units of `country` without children, in code order (one query)."""
    from ocrotire.geo.models import Unit

    rows = (
        Unit.objects.filter(country=country.upper(), active=True, children__isnull=True)
        .order_by("code")
        .values_list("code", "pk")
    )
    return dict(rows)
