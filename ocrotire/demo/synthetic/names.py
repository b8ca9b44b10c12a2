"""Names for the synthetic persons: the name lists of Moldova, Ukraine, Romania and Kyrgyzstan
(most frequent first), each in the spellings a record may use, the transliterations and
patronymics that produce them, the shape of each country's records, and the spelling changes a
duplicate may carry (lost or other diacritics, a typo)."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate
from typing import NamedTuple

__all__ = ["MARKS", "STRIP_CYRILLIC", "Forms", "countries", "typo", "with_marks"]


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


# --------------------------------------------------------------------------------------------
# Transliteration (written here rather than borrowed from registry.names, so that the benchmark is
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
def countries() -> dict[str, _Country]:
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
STRIP_CYRILLIC = str.maketrans("ёЁїЇґҐңҢөӨүҮ", "еЕіІгГнНоОуУ")
MARKS = ("comma", "none", "cedilla")


def with_marks(text: str, marks: str) -> str:
    if marks == "none":
        return text.translate(_STRIP_ROMANIAN)
    if marks == "cedilla":
        return text.translate(_COMMA_TO_CEDILLA)
    return text.translate(_CEDILLA_TO_COMMA)


_LATIN_LETTERS = "abcdefghijklmnoprstuvz"
_CYRILLIC_LETTERS = "абвгдежзиклмнопрстуфхцчшы"
_CYRILLIC_RE = re.compile("[\u0400-\u04ff]")


def typo(rng: random.Random, text: str) -> str:
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
